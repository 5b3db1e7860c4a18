using System.Text.Json;

namespace EvalHarness.Agents.Approvals;

/// <summary>When a tool call needs a human's approval: always, or when a numeric argument is above a threshold.</summary>
public sealed record ApprovalRule
{
    private ApprovalRule(string? argument, decimal? threshold)
    {
        Argument = argument;
        Threshold = threshold;
    }

    /// <summary>Every call needs approval.</summary>
    public static ApprovalRule Always { get; } = new(null, null);

    /// <summary>Calls whose <paramref name="argument"/> is above <paramref name="threshold"/> need approval.</summary>
    public static ApprovalRule Above(string argument, decimal threshold)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(argument);
        return new(argument, threshold);
    }

    /// <summary>The argument compared, or null for always.</summary>
    public string? Argument { get; }

    /// <summary>The threshold, or null for always.</summary>
    public decimal? Threshold { get; }

    /// <summary>Whether a call with these arguments needs approval.</summary>
    public bool Applies(JsonElement arguments) =>
        Argument is null
        || (arguments.ValueKind == JsonValueKind.Object
            && arguments.TryGetProperty(Argument, out var value)
            && ((value.ValueKind == JsonValueKind.Number && value.GetDecimal() > Threshold)
                || (value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var d) && d > Threshold)));

    /// <inheritdoc />
    public override string ToString() => Argument is null ? "always" : $"when {Argument} > {Threshold}";
}
