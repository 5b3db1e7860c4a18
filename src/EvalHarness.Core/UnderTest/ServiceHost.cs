using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// A served agent's process, started for a run and stopped with it: in a process group of its own
/// (<see cref="ProcessGroup"/>), so a <c>dotnet run</c> or <c>npm start</c> that starts the real service as a child
/// is stopped whole. A start that fails, times out or is cancelled stops what it started before it throws.
/// </summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    /// <summary>How many of the service's last lines an error quotes.</summary>
    private const int QuotedLines = 20;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>One poll's limit: a service that accepts the connection but never answers is polled again.</summary>
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long the output is still read once the process is stopped (a stray child may hold the pipe).</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

    /// <summary>How long a stopped (killed) process is waited for.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly bool _grouped;
    private readonly ServiceLog _log;
    private readonly Task _pumps;
    private readonly EventHandler _onExit;
    private int _disposed;

    private ServiceHost(Process process, bool grouped, ServiceLog log, Task pumps)
    {
        _process = process;
        _grouped = grouped;
        _log = log;
        _pumps = pumps;

        // Should the harness end without disposing it (a second Ctrl+C, an unhandled error), the service still goes.
        _onExit = (_, _) => ProcessGroup.StopAsync(_process, _grouped).GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += _onExit;
    }

    /// <summary>What the service has printed so far, standard output and standard error, its newest 64 KB.</summary>
    public string Log => _log.Text;

    /// <summary>The service's process id (its group's id too, where it has a group of its own).</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts the service and waits until it is ready: its <see cref="ServiceStart.Ready"/> URL answers 2xx, or, without
    /// one, its process runs.
    /// </summary>
    /// <exception cref="ServiceStartException">It could not be started, exited during start or never became ready.</exception>
    public static async Task<ServiceHost> StartAsync(ServiceStart start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (start.Command.Count == 0 || string.IsNullOrWhiteSpace(start.Command[0]))
        {
            throw new ServiceStartException("The service's start command is empty: agent.http.start.command needs the program and its arguments, e.g. [dotnet, bin/MyService.dll].");
        }

        var workingDirectory = Path.GetFullPath(start.WorkingDirectory);
        if (!Directory.Exists(workingDirectory))
        {
            throw new ServiceStartException($"The service's working folder {workingDirectory} does not exist (agent.http.start.cwd is relative to the suite's folder).");
        }

        if (!OperatingSystem.IsWindows() && !CanRun(start.Command[0], workingDirectory, start.Environment.GetValueOrDefault("PATH")))
        {
            throw NotFound(start.Command[0], workingDirectory, null);
        }

        // A copy left running by an earlier run would answer the ready URL for a service that cannot bind its port.
        if (start.Ready is { } ready && await AcceptsAsync(ready, cancellationToken))
        {
            throw new ServiceStartException(
                $"Something already listens at {ready.GetLeftPart(UriPartial.Authority)} before the service was started: a copy still running from an earlier run, or another program on that port. Stop it, or give the service another port (agent.http.start.env, ready and url).");
        }

        var (info, grouped) = ProcessGroup.StartInfo(start.Command);
        info.WorkingDirectory = workingDirectory;
        info.UseShellExecute = false;
        info.RedirectStandardInput = true; // kept open and unused: the service must not read the harness's console
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.StandardOutputEncoding = Encoding.UTF8;
        info.StandardErrorEncoding = Encoding.UTF8;
        foreach (var (name, value) in start.Environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw NotFound(start.Command[0], workingDirectory, ex.Message);
        }

        var log = new ServiceLog();
        var pumps = Task.WhenAll(log.PumpAsync(process.StandardOutput, isError: false), log.PumpAsync(process.StandardError, isError: true));
        var host = new ServiceHost(process, grouped, log, pumps);
        try
        {
            await host.WaitUntilReadyAsync(start, workingDirectory, cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the service, everything it started and its process group, and waits for it to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        await ProcessGroup.StopAsync(_process, _grouped);
        try
        {
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(StopTimeout, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // Killed but not yet reaped: nothing more can be done from here.
        }

        try
        {
            await _pumps.WaitAsync(OutputGrace, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // A process that left the group still holds the pipe: keep what was written so far.
        }

        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(ServiceStart start, string workingDirectory, CancellationToken cancellationToken)
    {
        if (start.Ready is null)
        {
            await ThrowIfExitedAsync(start, workingDirectory);
            return;
        }

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = PollTimeout });
        var clock = Stopwatch.StartNew();
        var lastPoll = "no answer yet";
        while (true)
        {
            await ThrowIfExitedAsync(start, workingDirectory);
            using (var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                poll.CancelAfter(PollTimeout);
                try
                {
                    using var response = await http.GetAsync(start.Ready, HttpCompletionOption.ResponseHeadersRead, poll.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }

                    lastPoll = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
                }
                catch (HttpRequestException ex)
                {
                    lastPoll = ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
                        ? "connection refused"
                        : ex.Message;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    lastPoll = $"no answer within {PollTimeout.TotalSeconds:0.#} s";
                }
            }

            if (clock.Elapsed >= start.ReadyTimeout)
            {
                await ThrowIfExitedAsync(start, workingDirectory);
                throw new ServiceStartException(
                    $"The service did not become ready within {start.ReadyTimeout.TotalSeconds:0.###} s: GET {start.Ready} last got {lastPoll}. "
                    + $"It was started as {Quote(start.Command)} in {workingDirectory} and has been stopped.{LastLines()}");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private async Task ThrowIfExitedAsync(ServiceStart start, string workingDirectory)
    {
        if (!_process.HasExited)
        {
            return;
        }

        // Its last words are in the pipe already: read them before quoting them.
        try
        {
            await _pumps.WaitAsync(OutputGrace, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // A child it started still holds the pipe: quote what was written so far.
        }

        var (last, _) = _log.Last(QuotedLines);
        if (_grouped && _process.ExitCode is 126 or 127 && last.Count > 0 && last[^1].StartsWith(ProcessGroup.NotStarted, StringComparison.Ordinal))
        {
            throw NotFound(start.Command[0], workingDirectory, last[^1][ProcessGroup.NotStarted.Length..]);
        }

        throw new ServiceStartException(
            $"The service exited with code {_process.ExitCode} before it was ready. It was started as {Quote(start.Command)} in {workingDirectory}.{LastLines()}");
    }

    private string LastLines()
    {
        var (last, errors) = _log.Last(QuotedLines);
        if (last.Count == 0)
        {
            return " It printed nothing.";
        }

        var text = $" Its last lines:{Environment.NewLine}{string.Join(Environment.NewLine, last.Select(l => "  " + l))}";
        return errors.Count == 0
            ? text
            : $"{text}{Environment.NewLine}and on standard error:{Environment.NewLine}{string.Join(Environment.NewLine, errors.Select(l => "  " + l))}";
    }

    private static ServiceStartException NotFound(string program, string workingDirectory, string? why) =>
        new($"The service command '{program}' could not be started{(why is null ? string.Empty : $" ({why.Trim()})")}: "
            + (program.Contains('/', StringComparison.Ordinal) || program.Contains('\\', StringComparison.Ordinal)
                ? $"there is no such program relative to the working folder {workingDirectory}."
                : $"it is not on PATH. The working folder was {workingDirectory}. Check agent.http.start.command: give a program on PATH or a path relative to that folder."));

    /// <summary>Whether <paramref name="program"/> names a file: on PATH when it is a bare name, else relative to the working folder.</summary>
    private static bool CanRun(string program, string workingDirectory, string? path)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(Path.Combine(workingDirectory, program));
        }

        return (path ?? Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, program)));
    }

    private static async Task<bool> AcceptsAsync(Uri url, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connect.CancelAfter(PollTimeout);
        try
        {
            await client.ConnectAsync(url.Host, url.Port, connect.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // nothing answered: a firewall drops it, or nobody is there
        }
    }

    private static string Quote(IReadOnlyList<string> command) =>
        "[" + string.Join(", ", command.Select(part => part.Contains(' ', StringComparison.Ordinal) ? $"\"{part}\"" : part)) + "]";
}
