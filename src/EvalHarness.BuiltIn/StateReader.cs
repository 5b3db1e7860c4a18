using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EvalHarness.BuiltIn;

/// <summary>
/// Reads the final state of a case's environment by path, for state assertions (compared as tau-bench
/// compares the database after the run): <c>orders.A100.status</c>, <c>orders.count</c>,
/// <c>mail.sent.count</c>, <c>mail.sent[0].to</c>, <c>memory.count</c>.
/// </summary>
public static partial class StateReader
{
    /// <summary>Whether a path names something the environment has.</summary>
    public static bool IsValid(string path) => Pattern().IsMatch(path);

    /// <summary>The value at <paramref name="path"/>, or null when it does not exist (an order that is not there).</summary>
    public static JsonElement? Read(CaseEnvironment environment, string path)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var match = Pattern().Match(path);
        if (!match.Success)
        {
            throw new ArgumentException($"'{path}' is not a state path.", nameof(path));
        }

        object? value = match.Groups["what"].Value switch
        {
            "orders.count" => environment.Orders.All.Count,
            "mail.sent.count" => environment.Mail.Sent.Count,
            "memory.count" => environment.Memory.Count,
            "tests.passing" => environment.RunTests().Failures.Count == 0,
            "tests.failed" => environment.RunTests().Failures.Count,
            _ when match.Groups["order"].Success => Order(environment, match.Groups["order"].Value, match.Groups["field"].Value),
            // An index too big for an int is past the end of the outbox.
            _ when match.Groups["mail"].Success => int.TryParse(match.Groups["mail"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? Mail(environment, index, match.Groups["mailfield"].Value) : null,
            _ => null,
        };
        return value is null ? null : JsonSerializer.SerializeToElement(value);
    }

    private static object? Order(CaseEnvironment environment, string id, string field)
    {
        var order = environment.Orders.All.FirstOrDefault(o => o.Id.Equals(id, StringComparison.OrdinalIgnoreCase));
        return order is null ? null : field switch
        {
            "status" => order.Status,
            "total" => order.Total,
            "customer" => order.Customer,
            "item" => order.Item,
            _ => null,
        };
    }

    private static object? Mail(CaseEnvironment environment, int index, string field)
    {
        if (index >= environment.Mail.Sent.Count)
        {
            return null;
        }

        var mail = environment.Mail.Sent[index];
        return field switch { "to" => mail.To, "subject" => mail.Subject, "body" => mail.Body, _ => null };
    }

    [GeneratedRegex(@"^(?<what>orders\.count|mail\.sent\.count|memory\.count|tests\.passing|tests\.failed|orders\.(?<order>[A-Za-z0-9_-]+)\.(?<field>status|total|customer|item)|mail\.sent\[(?<mail>[0-9]+)\]\.(?<mailfield>to|subject|body))$")]
    private static partial Regex Pattern();
}
