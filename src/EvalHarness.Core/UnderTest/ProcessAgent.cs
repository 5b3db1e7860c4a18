using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Tools;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// An agent in any language, run as a process per case (the contract is docs/own-agent.md): the harness sets
/// <c>OPENAI_BASE_URL</c>, <c>ANTHROPIC_BASE_URL</c>, the API keys and <c>EVALH_CASE_ID</c>, writes one JSON object to
/// its standard input and closes it, and reads its answer from the last line of its standard output.
/// </summary>
internal sealed partial class ProcessAgent(OwnAgent agent) : IAgentUnderTest
{
    /// <summary>The most of a process's output kept as its log.</summary>
    private const int MaxLogChars = 64 * 1024;

    /// <summary>
    /// How long the output is still read once the process has ended: what it wrote is already in the pipe, and only a
    /// process it left behind (<c>sleep 300 &amp;</c>) would keep the pipe open, which the case must not wait for.
    /// </summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

    public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
    {
        var (start, grouped) = ProcessGroup.StartInfo(agent.Command);
        start.WorkingDirectory = agent.WorkingDirectory;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardInputEncoding = new UTF8Encoding(false);
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;

        foreach (var (name, value) in agent.Environment)
        {
            start.Environment[name] = value;
        }

        // Each protocol's base URL in the form its official SDK reads (OPENAI_BASE_URL ends in /v1, the others at the
        // cassette's address), and its key: the live one when recording, a placeholder in replay.
        foreach (var (name, value) in AgentEnvironment.Providers(agentCase.CassetteBaseUrl, provider => agentCase.ApiKeys.GetValueOrDefault(provider, agentCase.OpenAIApiKey)))
        {
            start.Environment[name] = value;
        }

        // Each tool server's case address: EVALH_MCP_INVENTORY_URL, EVALH_HTTP_PRICES_URL.
        foreach (var (name, url) in agentCase.McpServers)
        {
            start.Environment[ToolServer.VariableFor(ToolKinds.Mcp, name)] = url.ToString();
        }

        foreach (var (name, url) in agentCase.HttpApis)
        {
            start.Environment[ToolServer.VariableFor(ToolKinds.Http, name)] = url.ToString();
        }

        start.Environment["EVALH_CASE_ID"] = agentCase.CaseId;
        if (agentCase.Model.IsChosenByTheAgent)
        {
            start.Environment.Remove("EVALH_MODEL"); // not even one the harness's own shell happens to hold
        }
        else
        {
            start.Environment["EVALH_MODEL"] = agentCase.Model.Model;
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            return NotStarted(ex.Message);
        }

        using var usage = ProcessUsage.Watch(process); // a load test's CPU and memory figures; null otherwise

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(agent.Timeout);
        var stdoutText = new StringBuilder();
        var stderrText = new StringBuilder();
        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput, stdoutText), PumpAsync(process.StandardError, stderrText));
        async Task<(string Out, string Err)> OutputAsync()
        {
            try
            {
                await pumps.WaitAsync(OutputGrace, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                // A process it left behind still holds the pipe: keep what was written so far.
            }

            return (Snapshot(stdoutText), Snapshot(stderrText));
        }

        try
        {
            try
            {
                await WriteInputAsync(process.StandardInput, agentCase, timeout.Token);
            }
            catch (IOException)
            {
                // It closed its input without reading it (or could not be started): its exit says what happened.
            }

            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Past its time, or stopped: if it is still running, stop it and its children.
            if (!process.HasExited)
            {
                await ProcessGroup.StopAsync(process, grouped);
                await process.WaitForExitAsync(CancellationToken.None);
                cancellationToken.ThrowIfCancellationRequested();
                var (partialOut, partialErr) = await OutputAsync();
                return AgentReport.Failed(
                    $"the agent process did not finish within its {agent.Timeout.TotalSeconds:0.###} s (agent.timeout_s) and was stopped.",
                    Log(partialOut, partialErr, lastLineIsAnswer: false)) with { Outcome = "timed_out", Reason = "The agent ran past its time limit." };
            }

            await process.WaitForExitAsync(CancellationToken.None);
        }

        // It has answered: what it left running in the background (sleep 300 &) ends with its case.
        await ProcessGroup.StopAsync(process, grouped);
        var (output, error) = await OutputAsync();
        if (grouped && process.ExitCode is 126 or 127 && error.StartsWith(ProcessGroup.NotStarted, StringComparison.Ordinal))
        {
            return NotStarted(error.Trim()[ProcessGroup.NotStarted.Length..]);
        }

        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        if (process.ExitCode != 0)
        {
            return AgentReport.Failed($"the agent process exited with code {process.ExitCode}{LastLine(error)}", Log(output, error, lastLineIsAnswer: false));
        }

        if (lines.Count == 0)
        {
            return AgentReport.Failed("the agent process printed nothing: it must print its answer as one JSON object on the last line of its output, e.g. {\"output\": \"…\"}.", Log(output, error, lastLineIsAnswer: false));
        }

        var last = lines[^1].Trim();
        var log = Log(output, error, lastLineIsAnswer: true);
        try
        {
            using var document = JsonDocument.Parse(last);
            return Answer(document.RootElement, log);
        }
        catch (JsonException ex)
        {
            var reason = last.StartsWith('{')
                ? $"the last line of the agent's output is not valid JSON ({ex.Message}): {Snippet(last)}"
                : $"the agent process printed no JSON answer: its last line must be one JSON object such as {{\"output\": \"…\"}}, but it was {Snippet(last)}";
            return AgentReport.Failed(reason, Log(output, error, lastLineIsAnswer: false));
        }
    }

    private AgentReport NotStarted(string why) =>
        AgentReport.Failed($"the agent command '{agent.Command[0]}' could not be started ({why}). Check the suite's agent.command: the program must be on PATH or a path relative to {agent.WorkingDirectory}.");

    /// <summary>Writes the input object (<see cref="InputJson"/>) to the process's standard input and closes it.</summary>
    private static async Task WriteInputAsync(StreamWriter input, AgentCase agentCase, CancellationToken cancellationToken)
    {
        await input.WriteLineAsync(Encoding.UTF8.GetString(InputJson(agentCase)).AsMemory(), cancellationToken);
        await input.FlushAsync(cancellationToken);
        input.Close();
    }

    /// <summary>
    /// The input object: the case, the user's message (in a conversation, this turn's, and the conversation so far) and
    /// the vars. A served agent with no body template is POSTed the same object.
    /// </summary>
    internal static byte[] InputJson(AgentCase agentCase)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("case_id", agentCase.CaseId);
            json.WriteString("scenario", agentCase.Scenario);
            json.WriteString("variant", agentCase.Variant);
            json.WriteNumber("trial", agentCase.Trial);
            json.WriteString("input", agentCase.Input);
            if (agentCase.SystemPrompt is { } prompt)
            {
                json.WriteString("system_prompt", prompt);
            }

            json.WriteNumber("turn", agentCase.Turn);
            json.WritePropertyName("conversation");
            WriteConversation(json, agentCase);
            if (agentCase.State is { } state)
            {
                json.WritePropertyName("state");
                state.WriteTo(json);
            }

            json.WriteStartObject("vars");
            foreach (var (name, value) in agentCase.Vars)
            {
                json.WritePropertyName(name);
                value.WriteTo(json);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The conversation so far as <c>[{ "role", "content" }]</c>.</summary>
    internal static void WriteConversation(Utf8JsonWriter json, AgentCase agentCase)
    {
        json.WriteStartArray();
        foreach (var message in agentCase.Messages)
        {
            json.WriteStartObject();
            json.WriteString("role", message.Role.Value);
            json.WriteString("content", message.Text);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>Reads the answer object (<c>{ "output", "tool_calls", "state", … }</c>) of a process, or of a served agent with no output path.</summary>
    internal static AgentReport Answer(JsonElement answer, string log)
    {
        if (answer.ValueKind != JsonValueKind.Object)
        {
            return AgentReport.Failed($"the last line of the agent's output must be a JSON object with \"output\", not {Snippet(answer.GetRawText())}.", log);
        }

        if (!answer.TryGetProperty("output", out var output) || output.ValueKind != JsonValueKind.String)
        {
            return AgentReport.Failed($"the agent's answer has no \"output\" string: {Snippet(answer.GetRawText())}", log);
        }

        var outcome = answer.TryGetProperty("outcome", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : null;
        if (outcome is not null && !Outcomes.IsValid(outcome))
        {
            return AgentReport.Failed($"the agent's answer says \"outcome\": \"{outcome}\", which is not one of {string.Join(", ", Outcomes.Names)}.", log);
        }

        List<ToolCallResult>? calls = null;
        if (answer.TryGetProperty("tool_calls", out var t) && t.ValueKind == JsonValueKind.Array)
        {
            calls = [];
            foreach (var call in t.EnumerateArray())
            {
                if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                {
                    return AgentReport.Failed($"each of the answer's \"tool_calls\" needs a \"name\": {Snippet(call.GetRawText())}", log);
                }

                var arguments = call.TryGetProperty("arguments", out var a) ? (a.ValueKind == JsonValueKind.String ? a.GetString()! : a.GetRawText()) : "{}";
                var result = call.TryGetProperty("result", out var r) ? (r.ValueKind == JsonValueKind.String ? r.GetString()! : r.GetRawText()) : string.Empty;
                var isError = call.TryGetProperty("is_error", out var e) && e.ValueKind == JsonValueKind.True;
                calls.Add(new ToolCallResult(call.TryGetProperty("step", out var s) && s.TryGetInt32(out var step) ? step : 0, name.GetString()!, arguments, result, isError, isError ? "error" : "ok"));
            }
        }

        Dictionary<string, int>? counters = null;
        if (answer.TryGetProperty("counters", out var c) && c.ValueKind == JsonValueKind.Object)
        {
            counters = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var counter in c.EnumerateObject())
            {
                if (!counter.Value.TryGetInt32(out var value))
                {
                    return AgentReport.Failed($"the answer's counter \"{counter.Name}\" must be a whole number, not {counter.Value.GetRawText()}.", log);
                }

                counters[counter.Name] = value;
            }
        }

        return new AgentReport
        {
            Output = output.GetString()!,
            Outcome = outcome,
            Reason = answer.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null,
            State = answer.TryGetProperty("state", out var state) && state.ValueKind == JsonValueKind.Object ? state.Clone() : null,
            ToolCalls = calls,
            Counters = counters,
            Log = log,
        };
    }

    /// <summary>What the process printed besides its answer: standard output, then standard error, cut to a size a report can show.</summary>
    private static string Log(string stdout, string stderr, bool lastLineIsAnswer)
    {
        var output = stdout.TrimEnd();
        if (lastLineIsAnswer)
        {
            var cut = output.LastIndexOf('\n');
            output = cut < 0 ? string.Empty : output[..cut].TrimEnd();
        }

        var log = string.Join(Environment.NewLine, new[] { output, stderr.TrimEnd() }.Where(s => s.Length > 0));
        return log.Length <= MaxLogChars ? log : $"… ({log.Length - MaxLogChars:N0} characters left out){Environment.NewLine}{log[^MaxLogChars..]}";
    }

    /// <summary>
    /// What a crash says, for the case's error: a runtime's last words are often not the error (Node ends with its
    /// version, an exit handler may write after a Python traceback), so the last line that reads as an error is shown,
    /// with the stack frame under it when the frames follow it (Node, .NET); else the last line that is not a banner.
    /// </summary>
    private static string LastLine(string stderr)
    {
        var lines = stderr.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !Banner().IsMatch(l)).ToList();
        var error = lines.FindLastIndex(l => !l.StartsWith("at ", StringComparison.Ordinal) && ErrorLine().IsMatch(l));
        if (error >= 0)
        {
            var frame = error + 1 < lines.Count && lines[error + 1].StartsWith("at ", StringComparison.Ordinal) ? $" ({lines[error + 1]})" : string.Empty;
            return $"; the error it wrote to standard error: {Snippet(lines[error] + frame)}";
        }

        return lines.Count > 0
            ? $"; the last line it wrote to standard error: {Snippet(lines[^1])}"
            : " and wrote nothing to standard error.";
    }

    /// <summary>A runtime's version line, such as <c>Node.js v20.20.2</c>, written after the error it follows.</summary>
    [GeneratedRegex(@"^(Node\.js|Deno|Bun|Python) v?\d+(\.\d+)*$")]
    private static partial Regex Banner();

    /// <summary><c>TypeError: …</c>, <c>ValueError: …</c>, <c>System.InvalidOperationException: …</c>, <c>panic: …</c>, <c>Unhandled exception. …</c>.</summary>
    [GeneratedRegex(@"^(panic:|Unhandled exception\b|[\w.$]*(Error|Exception|Panic)\b:?)")]
    private static partial Regex ErrorLine();

    private static string Snapshot(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }

    /// <summary>Reads a stream to its end into <paramref name="text"/>, so what came before a hang can still be shown.</summary>
    private static async Task PumpAsync(StreamReader reader, StringBuilder text)
    {
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer, CancellationToken.None)) > 0)
            {
                lock (text)
                {
                    text.Append(buffer, 0, read);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe went away with the process.
        }
    }

    internal static string Snippet(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
