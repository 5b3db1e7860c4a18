using System.Text.Json;
using EvalHarness.Agents.Context;
using EvalHarness.Agents.Observability;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Runtime;

public sealed partial class Agent
{
    /// <summary>One model call: its response, or why it failed. Cancellation is not a failure and propagates.</summary>
    private async Task<(ChatResponse? Response, string? Error)> CallModelAsync(
        IChatClient client, IList<ChatMessage> messages, ChatOptions options, RunTracer.SpanScope span, RunState state, CancellationToken cancellationToken)
    {
        state.Counters.Increment(RunCounters.ModelCalls);
        ChatResponse response;
        try
        {
            if (_options.Streaming)
            {
                var updates = new List<ChatResponseUpdate>();
                await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken))
                {
                    updates.Add(update);
                    if (!string.IsNullOrEmpty(update.Text))
                    {
                        _options.OnTextDelta?.Invoke(update.Text);
                    }
                }

                response = updates.ToChatResponse();
                span.Tag("streamed", true).Tag("chunks", updates.Count);
            }
            else
            {
                response = await client.GetResponseAsync(messages, options, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            span.Fail(Short(ex));
            return (null, Short(ex));
        }

        var usage = TokenUsage.From(response.Usage);
        var cost = _options.Pricing?.Invoke(options.ModelId ?? _options.ModelId, usage);
        state.Charge(usage, cost);
        span.Tag("input_tokens", usage.Input).Tag("output_tokens", usage.Output);
        if (cost is { } c)
        {
            span.Tag("cost_usd", c);
        }

        return (response, null);
    }

    /// <summary>Summarises older turns when the conversation has outgrown the window. The summary call is a model call like any other.</summary>
    private async Task CompactAsync(RunState state, IChatClient client, RunTracer tracer, int parentSpan, CancellationToken cancellationToken)
    {
        if (_options.Context is not { } context || !_tokens.Exceeds(state.Messages, context.MaxTokens))
        {
            return;
        }

        var cut = ContextCompactor.CutIndex(state.Messages, context.KeepLastMessages);
        if (cut == 0)
        {
            return;
        }

        var model = context.SummaryModelId ?? _options.ModelId;
        using var span = tracer.Start("summary", model, parentSpan).Tag("messages_summarised", cut - 1)
            .Tag("tokens_before", _tokens.Count(state.Messages)).Tag("token_count", _tokens.Encoding);
        var (response, error) = await CallModelAsync(client, ContextCompactor.SummaryRequest(state.Messages, cut), new ChatOptions { ModelId = model }, span, state, cancellationToken);
        if (error is not null || string.IsNullOrWhiteSpace(response!.Text))
        {
            // Keeping the long conversation is safer than losing it: the run goes on unsummarised.
            span.Fail(error ?? "empty summary");
            return;
        }

        state.Messages = ContextCompactor.Replace(state.Messages, cut, response.Text.Trim());
        state.Counters.Increment(RunCounters.Summaries);
        span.Tag("tokens_after", _tokens.Count(state.Messages));
    }

    /// <summary>Null when the answer is acceptable; otherwise a repair request or, past the repair budget, the failure.</summary>
    private (bool Repair, string Message)? CheckStructuredAnswer(RunState state)
    {
        if (_options.StructuredOutput is not { } structured)
        {
            return null;
        }

        var text = StripFence(state.LastText);
        IReadOnlyList<string> errors;
        try
        {
            using var document = JsonDocument.Parse(text);
            errors = structured.Schema.Validate(document.RootElement);
            if (errors.Count == 0)
            {
                state.StructuredOutput = document.RootElement.Clone();
                return null;
            }
        }
        catch (JsonException ex)
        {
            errors = [$"the answer is not JSON ({ex.Message.Split('.')[0]})"];
        }

        if (state.Repairs >= structured.MaxRepairs)
        {
            return (false, $"The final answer does not match the output schema after {state.Repairs} repair(s): {string.Join("; ", errors)}.");
        }

        state.Repairs++;
        state.Counters.Increment(RunCounters.Repairs);
        return (true, "Your answer must be a single JSON value matching the required schema. Fix these problems and answer again with only the JSON:\n- "
            + string.Join("\n- ", errors));
    }

    private static string StripFence(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var firstLine = trimmed.IndexOf('\n', StringComparison.Ordinal);
        var end = trimmed.LastIndexOf("```", StringComparison.Ordinal);
        return firstLine > 0 && end > firstLine ? trimmed[(firstLine + 1)..end].Trim() : trimmed;
    }
}
