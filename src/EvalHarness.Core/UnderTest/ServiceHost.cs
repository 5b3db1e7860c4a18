using System.Diagnostics;
using System.Text;

namespace EvalHarness.Core.UnderTest;

// Placeholder while the service host is built on its branch (served-host); replaced by it at the merge.
internal sealed record ServiceStart
{
    public required IReadOnlyList<string> Command { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public string WorkingDirectory { get; init; } = ".";

    public Uri? Ready { get; init; }

    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

internal sealed class ServiceHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServiceHost(Process process) => _process = process;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<ServiceHost> StartAsync(ServiceStart start, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(start.Command[0]) { WorkingDirectory = start.WorkingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in start.Command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in start.Environment)
        {
            info.Environment[name] = value;
        }

        var host = new ServiceHost(Process.Start(info)!);
        host._process.OutputDataReceived += (_, e) => host.Append(e.Data);
        host._process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + start.ReadyTimeout;
        while (start.Ready is not null)
        {
            if (host._process.HasExited)
            {
                await Task.Delay(200, CancellationToken.None);
                throw new ServiceStartException($"the service exited with code {host._process.ExitCode} while starting: {host.Log}");
            }

            try
            {
                using var response = await http.GetAsync(start.Ready, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                await host.DisposeAsync();
                throw new ServiceStartException($"the service was not ready at {start.Ready}: {host.Log}");
            }

            await Task.Delay(200, cancellationToken);
        }

        return host;
    }

    private void Append(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

internal sealed class ServiceStartException(string message) : Exception(message);
