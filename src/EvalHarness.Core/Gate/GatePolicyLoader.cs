using EvalHarness.Core.Suites;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Gate;

/// <summary>Reads a gate policy (<c>gate.yaml</c>); a mistake fails with <c>file:line:column</c> and what to write instead.</summary>
public static class GatePolicyLoader
{
    private static readonly string[] Known =
    [
        "variants", "min_success_rate", "min_success_rate_by_tag", "max_success_drop_points", "alpha", "critical_must_pass",
        "max_cost_increase_pct", "max_p95_latency_increase_pct", "max_unknown_tool_rate", "max_error_rate", "flaky_window",
    ];

    /// <summary>Loads the policy file at <paramref name="path"/>.</summary>
    /// <exception cref="SuiteException">The file is missing or malformed.</exception>
    public static GatePolicy Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new SuiteException(path, 0, 0, "no such policy file. Write one (see docs/reports-and-gate.md) or leave out --policy for the built-in policy.");
        }

        return Parse(path, File.ReadAllText(path));
    }

    /// <summary>Parses policy text; <paramref name="path"/> names it in errors.</summary>
    public static GatePolicy Parse(string path, string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        if (yaml.Split('\n').Select(l => l.Trim()).All(l => l.Length == 0 || l.StartsWith('#') || l == "---"))
        {
            // Nothing but comments: every rule at its default.
            return new GatePolicy { Source = path };
        }

        var y = new YamlNodes(path);
        var root = y.Mapping(YamlNodes.Parse(path, yaml), "a gate policy");
        var keys = y.Keys(root, "a gate policy", Known);
        double? Rate(string key) => keys.TryGetValue(key, out var v) ? Fraction(y, v.Value, key) : null;
        double? Number(string key) => keys.TryGetValue(key, out var v) ? (double)y.Decimal(v.Value, key, 0) : null;

        var byTag = new Dictionary<string, double>(StringComparer.Ordinal);
        if (keys.TryGetValue("min_success_rate_by_tag", out var tags))
        {
            foreach (var (tag, value) in y.Mapping(tags.Value, "min_success_rate_by_tag").Children)
            {
                var name = y.String(tag, "a tag of min_success_rate_by_tag");
                byTag[name] = Fraction(y, value, $"min_success_rate_by_tag.{name}");
            }
        }

        var alpha = keys.TryGetValue("alpha", out var a) ? (double)y.Decimal(a.Value, "alpha", 0, exclusive: true) : 0.05;
        if (alpha >= 1)
        {
            throw y.Error(a.Value, $"alpha must be between 0 and 1 (0.05 is usual), not {alpha}.");
        }

        return new GatePolicy
        {
            Source = path,
            Variants = keys.TryGetValue("variants", out var v) ? y.Strings(v.Value, "variants") : [],
            MinSuccessRate = Rate("min_success_rate"),
            MinSuccessRateByTag = byTag,
            MaxSuccessDropPoints = Number("max_success_drop_points"),
            Alpha = alpha,
            CriticalMustPass = !keys.TryGetValue("critical_must_pass", out var c) || y.Bool(c.Value, "critical_must_pass"),
            MaxCostIncreasePercent = Number("max_cost_increase_pct"),
            MaxP95LatencyIncreasePercent = Number("max_p95_latency_increase_pct"),
            MaxUnknownToolRate = Rate("max_unknown_tool_rate"),
            MaxErrorRate = Rate("max_error_rate"),
            FlakyWindow = keys.TryGetValue("flaky_window", out var w) ? y.Int(w.Value, "flaky_window", 2) : 10,
        };
    }

    /// <summary>A share from 0 to 1; <c>95%</c> is read as 0.95.</summary>
    private static double Fraction(YamlNodes y, YamlNode node, string what)
    {
        var text = y.String(node, what).Trim();
        var percent = text.EndsWith('%');
        if (!double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || value < 0 || (value /= percent ? 100 : 1) > 1)
        {
            throw y.Error(node, $"{what} must be a share from 0 to 1 (or a percentage such as 95%), not '{text}'.");
        }

        return value;
    }
}
