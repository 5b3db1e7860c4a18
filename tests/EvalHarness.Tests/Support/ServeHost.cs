using System.Text.RegularExpressions;
using EvalHarness.Cli.Commands;
using Spectre.Console;

namespace EvalHarness.Tests.Support;

/// <summary><c>evalh serve</c> (or <c>evalh view</c>) hosted in process until disposed: its address and what it printed.</summary>
internal sealed partial class ServeHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly StringWriter _out = new();
    private readonly TextWriter _syncOut;
    private readonly StringWriter _error = new();
    private readonly Task<int> _serving;

    private ServeHost(string[] args, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _syncOut = TextWriter.Synchronized(_out);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(_syncOut) });
        console.Profile.Width = 500;
        _serving = EvalhApp.InvokeAsync(args, console, TextWriter.Synchronized(_error), _stop.Token);
    }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>What serve printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_syncOut) // the synchronised writer locks itself
            {
                return _out.ToString();
            }
        }
    }

    /// <summary>The lines serve logged for <paramref name="cassetteId"/>'s requests.</summary>
    public IReadOnlyList<string> LogLines(string cassetteId) =>
        [.. Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Contains($" {cassetteId} ", StringComparison.Ordinal))];

    /// <summary>
    /// The lines serve logged for <paramref name="cassetteId"/>'s requests once there are <paramref name="count"/> (or
    /// after 10 s): serve logs a request after its answer is sent, so a client can be done before its line is there.
    /// </summary>
    public async Task<IReadOnlyList<string>> LogLinesAsync(string cassetteId, int count, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (LogLines(cassetteId).Count < count && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10, cancellationToken);
        }

        return LogLines(cassetteId);
    }

    /// <summary>What serve printed, once it holds <paramref name="text"/> (or after 10 s), for the same reason.</summary>
    public async Task<string> OutputWithAsync(string text, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal) && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10, cancellationToken);
        }

        return Output;
    }

    /// <summary>The base URL a client uses for a cassette, ending in <c>/v1/</c>.</summary>
    public Uri V1(string cassetteId) => new(Address, $"c/{cassetteId}/v1/");

    public static Task<ServeHost> StartAsync(CancellationToken cancellationToken, params string[] args) =>
        StartAsync(["serve", .. args], AddressLine(), cancellationToken);

    /// <summary><c>evalh view</c> with <paramref name="args"/>, once it prints its address.</summary>
    public static Task<ServeHost> ViewAsync(CancellationToken cancellationToken, params string[] args) =>
        StartAsync(["view", .. args], ViewLine(), cancellationToken);

    private static async Task<ServeHost> StartAsync(string[] args, Regex addressLine, CancellationToken cancellationToken)
    {
        var host = new ServeHost(args, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (addressLine.Match(host.Output) is { Success: true } found)
            {
                host.Address = new Uri(found.Groups[1].Value);
                return host;
            }

            if (host._serving.IsCompleted)
            {
                throw new InvalidOperationException($"{args[0]} ended with {await host._serving}: {host._error}");
            }

            await Task.Delay(20, cancellationToken);
        }

        throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>Stops serve (as Ctrl+C does) and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await _serving;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _out.Dispose();
        _error.Dispose();
    }

    [GeneratedRegex(@"Cassette server on (http://127\.0\.0\.1:[0-9]+/)")]
    private static partial Regex AddressLine();

    [GeneratedRegex(@"evalh view: (http://127\.0\.0\.1:[0-9]+/)")]
    private static partial Regex ViewLine();
}
