using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using EvalHarness.Core.UnderTest;
using EvalHarness.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EvalHarness.Tests.Core;

/// <summary>
/// A served agent's process, started for a run and stopped with it: a real Node service that leaves a process behind
/// out of its tree (only its group still holds it), one that crashes, one that never becomes ready.
/// </summary>
public sealed class ServiceHostTests : IDisposable
{
    /// <summary>
    /// The service: it writes its pid and the pid of a <c>sleep</c> it orphaned (whose parent shell has exited, so only
    /// the process group still holds it) to <c>PID_FILE</c>, then serves <c>PORT</c> or, per its argument, does not.
    /// </summary>
    private const string Service = """
        const http = require('http');
        const fs = require('fs');
        const { execSync } = require('child_process');
        const mode = process.argv[2] || 'serve';
        if (mode === 'crash') {
          for (let i = 1; i <= 30; i++) console.log(`line ${String(i).padStart(2, '0')}`);
          console.error('Error: the database is gone');
          process.exit(3);
        }
        const orphan = Number(execSync('sleep 300 > /dev/null 2>&1 & echo $!', { shell: '/bin/sh' }).toString().trim());
        fs.writeFileSync(process.env.PID_FILE, JSON.stringify({ pid: process.pid, orphan }));
        if (mode === 'deaf') {
          console.log('warming up');
          setInterval(() => {}, 1000);
        } else {
          http.createServer((req, res) => {
            res.writeHead(mode === 'unhealthy' ? 503 : 200);
            res.end(mode === 'unhealthy' ? 'not yet' : 'ok');
          }).listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`listening on ${process.env.PORT}`));
        }
        """;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _temp = new();
    private readonly int _port = Ports.Free();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task StartAsync_ReadyUrlAnswers_RunsUntilDisposedThenItsWholeGroupIsGone()
    {
        var host = await ServiceHost.StartAsync(Start("serve", ready: true), Ct).WaitAsync(Bound, Ct);
        var (pid, orphan) = await PidsAsync();
        try
        {
            Assert.Equal(pid, host.ProcessId);
            Assert.True(IsRunning(pid));
            Assert.True(IsRunning(orphan));
            using var http = new HttpClient();
            Assert.Equal("ok", await http.GetStringAsync(Health, Ct));
            await WaitForAsync(() => host.Log.Contains($"listening on {_port}", StringComparison.Ordinal));
        }
        finally
        {
            await host.DisposeAsync();
        }

        await WaitForAsync(() => !IsRunning(pid) && !IsRunning(orphan));
        await WaitForAsync(() => !Ports.Accepts(_port));
    }

    [Fact]
    public async Task StartAsync_NoReadyUrl_StartedOnceRunningAndStoppedOnDispose()
    {
        var host = await ServiceHost.StartAsync(Start("deaf", ready: false), Ct).WaitAsync(Bound, Ct);
        var (pid, orphan) = await PidsAsync();
        Assert.True(IsRunning(pid));

        await host.DisposeAsync();

        await WaitForAsync(() => !IsRunning(pid) && !IsRunning(orphan));
        Assert.Contains("warming up", host.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ExitsDuringStart_ThrowsWithItsExitCodeAndLastTwentyLines()
    {
        var ex = await Assert.ThrowsAsync<ServiceStartException>(() => ServiceHost.StartAsync(Start("crash", ready: true), Ct).WaitAsync(Bound, Ct));

        Assert.Contains("exited with code 3 before it was ready", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[node, service.js, crash]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Error: the database is gone", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 30", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("line 10", ex.Message, StringComparison.Ordinal); // 31 lines printed, the last 20 quoted
    }

    [Theory]
    [InlineData("unhealthy", "last got HTTP 503 Service Unavailable")]
    [InlineData("deaf", "last got connection refused")]
    public async Task StartAsync_NeverReady_ThrowsWithTheUrlWhatItGotAndItsLastLinesAndStopsIt(string mode, string got)
    {
        var start = Start(mode, ready: true) with { ReadyTimeout = TimeSpan.FromSeconds(1.5) };

        var ex = await Assert.ThrowsAsync<ServiceStartException>(() => ServiceHost.StartAsync(start, Ct).WaitAsync(Bound, Ct));

        Assert.Contains($"did not become ready within 1.5 s: GET {Health} {got}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(mode == "deaf" ? "  warming up" : $"  listening on {_port}", ex.Message, StringComparison.Ordinal);
        var (pid, orphan) = await PidsAsync();
        await WaitForAsync(() => !IsRunning(pid) && !IsRunning(orphan));
    }

    [Theory]
    [InlineData("no-such-service-program", "it is not on PATH. The working folder was {0}.")]
    [InlineData("bin/NoSuch.dll", "there is no such program relative to the working folder {0}.")]
    public async Task StartAsync_CommandNotFound_SaysWhereItLooked(string program, string said)
    {
        var start = new ServiceStart { Command = [program, "--urls", "x"], WorkingDirectory = _temp.Path, Ready = Health };

        var ex = await Assert.ThrowsAsync<ServiceStartException>(() => ServiceHost.StartAsync(start, Ct).WaitAsync(Bound, Ct));

        Assert.Contains($"The service command '{program}' could not be started", ex.Message, StringComparison.Ordinal);
        Assert.Contains(string.Format(null, said, _temp.Path), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ReadyPortAlreadyTaken_SaysSoAndStartsNothing()
    {
        using var earlier = new TcpListener(IPAddress.Loopback, _port);
        earlier.Start();

        var ex = await Assert.ThrowsAsync<ServiceStartException>(() => ServiceHost.StartAsync(Start("serve", ready: true), Ct).WaitAsync(Bound, Ct));

        Assert.Contains($"Something already listens at http://127.0.0.1:{_port} before the service was started", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.Combine("pids.json")));
    }

    [Fact]
    public async Task StartAsync_CancelledWhileWaiting_StopsTheService()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var starting = ServiceHost.StartAsync(Start("deaf", ready: true), cancel.Token);
        var (pid, orphan) = await PidsAsync();
        Assert.True(IsRunning(pid));

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starting.WaitAsync(Bound, Ct));
        await WaitForAsync(() => !IsRunning(pid) && !IsRunning(orphan));
    }

    /// <summary>
    /// The served example (examples/http-agent, built by this project) as the harness will run it: started once, two
    /// cases at once, each request with a trace context of its own. Each model call the service makes carries its
    /// request's trace id and baggage (.NET's defaults, nothing in the service), and its session keeps the conversation.
    /// </summary>
    [Fact]
    public async Task StartAsync_TheHttpAgentExample_ItsModelCallsCarryEachRequestsTraceContext()
    {
        using var model = WireMockUpstream.Start();
        model.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost()).RespondWith(Response.Create()
            .WithHeader("Content-Type", "application/json")
            .WithBody("""{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"SKU-100 has 12 in stock."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":7,"total_tokens":16}}"""));
        var start = new ServiceStart
        {
            Command = ["dotnet", "bin/HttpAgent.dll"],
            WorkingDirectory = RepoPaths.Example("http-agent"),
            Environment = new Dictionary<string, string>
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{_port}",
                ["OPENAI_BASE_URL"] = $"{model.BaseAddress()}v1",
                ["OPENAI_API_KEY"] = "sk-test",
            },
            Ready = Health,
            ReadyTimeout = Bound,
        };

        await using var service = await ServiceHost.StartAsync(start, Ct).WaitAsync(Bound * 2, Ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}/") };
        async Task<JsonElement> ChatAsync(string traceId, string caseId, string message, string? session = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "chat") { Content = JsonContent.Create(new { message, session_id = session }) };
            request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
            request.Headers.Add("baggage", $"evalh.case_id={caseId}");
            using var response = await http.SendAsync(request, Ct);
            Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}{Environment.NewLine}{service.Log}");
            return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        }

        const string TraceA = "4bf92f3577b34da6a3ce929d0e0e4736", TraceB = "0af7651916cd43dd8448eb211c80319c";
        var first = await Task.WhenAll(ChatAsync(TraceA, "case-a", "Do you have SKU-100?"), ChatAsync(TraceB, "case-b", "Is SKU-100 in stock?")).WaitAsync(Bound, Ct);
        var session = first[0].GetProperty("session_id").GetString();
        var second = await ChatAsync(TraceA, "case-a", "And SKU-300?", session).WaitAsync(Bound, Ct);

        Assert.Equal("SKU-100 has 12 in stock.", first[0].GetProperty("reply").GetString());
        Assert.Equal(session, second.GetProperty("session_id").GetString());
        Assert.Equal(2, second.GetProperty("state").GetProperty("turns").GetInt32());
        var calls = model.LogEntries.Select(e => e.RequestMessage).Select(r => (
            Trace: r.Headers!["traceparent"].Single().Split('-')[1],
            Baggage: string.Concat(r.Headers["baggage"].Single().Where(c => !char.IsWhiteSpace(c))),
            Messages: JsonDocument.Parse(r.Body!).RootElement.GetProperty("messages").GetArrayLength())).ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, call => Assert.Equal(call.Trace == TraceA ? "evalh.case_id=case-a" : "evalh.case_id=case-b", call.Baggage));
        Assert.Equal([2, 4], calls.Where(c => c.Trace == TraceA).Select(c => c.Messages).Order()); // turn 2 holds turn 1
        Assert.Equal([2], calls.Where(c => c.Trace == TraceB).Select(c => c.Messages));
    }

    private Uri Health => new($"http://127.0.0.1:{_port}/health");

    private ServiceStart Start(string mode, bool ready)
    {
        _temp.Write("service.js", Service);
        return new ServiceStart
        {
            Command = ["node", "service.js", mode],
            WorkingDirectory = _temp.Path,
            Environment = new Dictionary<string, string> { ["PORT"] = _port.ToString(CultureInfo.InvariantCulture), ["PID_FILE"] = _temp.Combine("pids.json") },
            Ready = ready ? Health : null,
            ReadyTimeout = Bound,
        };
    }

    /// <summary>The service's pid and its orphan's, once it has written them.</summary>
    private async Task<(int Pid, int Orphan)> PidsAsync()
    {
        var file = _temp.Combine("pids.json");
        await WaitForAsync(() => File.Exists(file) && File.ReadAllText(file).EndsWith('}'));
        using var pids = JsonDocument.Parse(File.ReadAllText(file));
        return (pids.RootElement.GetProperty("pid").GetInt32(), pids.RootElement.GetProperty("orphan").GetInt32());
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, for at most <see cref="Bound"/>.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        async Task PollAsync()
        {
            while (!condition())
            {
                await Task.Delay(50, Ct);
            }
        }

        await PollAsync().WaitAsync(Bound, Ct);
    }

    /// <summary>Whether <paramref name="pid"/> runs: a zombie (ended, not yet reaped by its parent) does not.</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }
}
