using System.Text;

namespace EvalHarness.Reports;

/// <summary>Writes a file whole or not at all: to a temporary file beside it, then renamed into place.</summary>
internal static class AtomicFile
{
    /// <summary>UTF-8 without a byte-order mark.</summary>
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static async Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken = default)
    {
        var temp = TempFor(path);
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                await write(stream);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>The same, synchronously: for a writer that holds a lock (a run's progress is reported under one).</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var temp = TempFor(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                write(stream);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>A new temporary file's name beside <paramref name="path"/>, its folder made.</summary>
    private static string TempFor(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return $"{path}.{Guid.NewGuid():N}.tmp";
    }

    /// <summary>Writes text as it is produced, through a buffered UTF-8 writer: the text is never whole in memory.</summary>
    public static Task WriteTextAsync(string path, Action<TextWriter> write, CancellationToken cancellationToken = default) =>
        WriteAsync(path, async stream =>
        {
            await using var writer = new StreamWriter(stream, Utf8, bufferSize: 64 * 1024);
            write(writer);
        }, cancellationToken);

    public static Task WriteBytesAsync(string path, byte[] bytes, CancellationToken cancellationToken = default) =>
        WriteAsync(path, stream => stream.WriteAsync(bytes, cancellationToken).AsTask(), cancellationToken);

    public static Task WriteTextAsync(string path, string text, CancellationToken cancellationToken = default) =>
        WriteAsync(path, stream => stream.WriteAsync(Utf8.GetBytes(text), cancellationToken).AsTask(), cancellationToken);
}
