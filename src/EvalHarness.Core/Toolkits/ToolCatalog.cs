using System.ComponentModel;
using EvalHarness.Agents.Approvals;
using EvalHarness.Agents.Tools;
using Microsoft.Extensions.AI;

namespace EvalHarness.Core.Toolkits;

/// <summary>
/// The tools a suite can give its agent, by qualified name (<c>toolkit.tool</c>). The model sees the
/// bare tool name; a suite's allow-list is checked against this catalog when it loads.
/// </summary>
public static class ToolCatalog
{
    private static readonly Dictionary<string, ToolDefinition> Definitions = new ToolDefinition[]
    {
        new("orders.lookup_order", env => AIFunctionFactory.Create(
            ([Description("The order id, e.g. A100")] string order_id) => env.Orders.Lookup(order_id),
            "lookup_order", "Looks up an order by id: customer, item, total and status.")),
        new("orders.list_orders", env => AIFunctionFactory.Create(
            ([Description("The customer's email address")] string customer_email) => env.Orders.ForCustomer(customer_email),
            "list_orders", "Lists a customer's orders by their email address.")),
        new("orders.refund_order", env => AIFunctionFactory.Create(
            ([Description("The order id")] string order_id, [Description("Why the customer wants a refund")] string reason) =>
            {
                var order = env.Orders.Refund(order_id);
                return new { order.Id, order.Status, refunded = order.Total, reason };
            },
            "refund_order", "Refunds an order in full. Only for orders that are not already refunded or cancelled."), SideEffecting: true),
        new("orders.issue_credit", env => AIFunctionFactory.Create(
            ([Description("The order id")] string order_id, [Description("Store credit in USD")] decimal amount, [Description("Why")] string reason) =>
                new { order_id = env.Orders.Lookup(order_id).Id, credit = amount, reason, status = "credited" },
            "issue_credit", "Gives a customer store credit against an order."), SideEffecting: true),
        new("mail.send_email", env => AIFunctionFactory.Create(
            ([Description("Recipient address")] string to, [Description("Subject line")] string subject, [Description("Plain-text body")] string body) =>
            {
                env.Mail.Send(to, subject, body);
                return "sent";
            },
            "send_email", "Sends an email to a customer."), SideEffecting: true),
        new("docs.search", env => AIFunctionFactory.Create(
            ([Description("Words to search for")] string query) =>
            {
                var words = query.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return env.Documents
                    .Select(d => (d, score: words.Count(w => d.Title.Contains(w, StringComparison.OrdinalIgnoreCase) || d.Text.Contains(w, StringComparison.OrdinalIgnoreCase))))
                    .Where(x => x.score > 0).OrderByDescending(x => x.score).ThenBy(x => x.d.Id, StringComparer.Ordinal)
                    .Select(x => new { x.d.Id, x.d.Title }).ToList();
            },
            "search_docs", "Searches the knowledge base; returns matching document ids and titles.")),
        new("docs.read", env => AIFunctionFactory.Create(
            ([Description("The document id")] string doc_id) =>
                env.Documents.FirstOrDefault(d => d.Id.Equals(doc_id, StringComparison.OrdinalIgnoreCase))?.Text
                ?? throw new InvalidOperationException($"There is no document '{doc_id}'."),
            "read_doc", "Reads a document of the knowledge base in full.")),
        new("files.read_file", env => AIFunctionFactory.Create(
            ([Description("A path inside the workspace, e.g. reports/q3.txt")] string path) => env.Workspace.Read(path),
            "read_file", "Reads a file of the workspace.")),
        new("files.list_files", env => AIFunctionFactory.Create(
            () => env.Workspace.Files.Keys.Order(StringComparer.Ordinal).ToList(),
            "list_files", "Lists the files of the workspace.")),
        new("files.write_file", env => AIFunctionFactory.Create(
            ([Description("A path inside the workspace")] string path, [Description("The whole new content of the file")] string content) => env.Workspace.Write(path, content),
            "write_file", "Creates or replaces a file of the workspace."), SideEffecting: true),
        new("tests.run_tests", env => AIFunctionFactory.Create(
            () =>
            {
                var (passed, failures) = env.RunTests();
                return failures.Count == 0 ? $"All {passed} test(s) passed." : $"{passed} passed, {failures.Count} failed:\n- {string.Join("\n- ", failures)}";
            },
            "run_tests", "Runs the project's tests against the workspace and reports which fail.")),
        new("web.fetch", env => AIFunctionFactory.Create(
            ([Description("The page's URL")] string url) =>
                env.Pages.TryGetValue(url.Trim(), out var page) ? page : throw new InvalidOperationException($"404: there is no page at {url}."),
            "fetch_page", "Fetches a web page and returns its text.")),
        new("calculator.evaluate", env => AIFunctionFactory.Create(
            ([Description("Arithmetic such as (1200 + 340.5) * 0.2")] string expression) => SqlDatabase.Format(Calculator.Evaluate(expression)),
            "calculate", "Evaluates an arithmetic expression exactly.")),
        new("clock.now", env => AIFunctionFactory.Create(
            () => env.Now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z' (dddd)", System.Globalization.CultureInfo.InvariantCulture),
            "now", "The current date and time (UTC).")),
        new("sql.query", env => AIFunctionFactory.Create(
            ([Description("One read-only SELECT statement")] string sql) =>
                (env.Sql ?? throw new InvalidOperationException("This suite has no tables.")).Query(sql),
            "query", "Runs a read-only SQL SELECT over the analytics database (SQLite) and returns the rows.")),
        new("inventory.check_stock", env => AIFunctionFactory.Create(
            ([Description("The product SKU")] string sku) =>
            {
                if (env.TakeStockFailure(sku))
                {
                    throw new TransientToolException("The inventory service timed out; try again.");
                }

                var item = env.Inventory.FirstOrDefault(i => i.Sku.Equals(sku, StringComparison.OrdinalIgnoreCase))
                    ?? throw new InvalidOperationException($"There is no product '{sku}'.");
                return new { item.Sku, item.Name, in_stock = item.Stock };
            },
            "check_stock", "Checks how many units of a product are in stock."), TransientRetries: 2),
        new("memory.remember", env => env.Memory.CreateTools()[0]),
        new("memory.recall", env => env.Memory.CreateTools()[1]),
    }.ToDictionary(d => d.QualifiedName, StringComparer.Ordinal);

    /// <summary>Every qualified tool name, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Definitions.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The definition of a qualified tool name.</summary>
    public static ToolDefinition Get(string qualifiedName) =>
        Definitions.TryGetValue(qualifiedName, out var definition) ? definition : throw new ArgumentException($"There is no tool '{qualifiedName}'.", nameof(qualifiedName));

    /// <summary>The name the model sees for a qualified name.</summary>
    public static string WireName(string qualifiedName) =>
        WireNames.GetOrAdd(Get(qualifiedName).QualifiedName, static name =>
        {
            // Read by building the tool once over an empty environment (and only the tools a suite names).
            using var probe = CaseEnvironment.Create(new Suites.Fixtures());
            return Definitions[name].Create(probe).Name;
        });

    /// <summary>Builds the allow-listed tools over one case's environment, with their traits and approval rules.</summary>
    public static IReadOnlyList<AgentTool> Build(CaseEnvironment environment, IEnumerable<string> qualifiedNames, IReadOnlyDictionary<string, ApprovalRule>? approvals = null) =>
        [.. qualifiedNames.Select(name =>
        {
            var definition = Get(name);
            return new AgentTool(definition.Create(environment), definition.SideEffecting, approvals?.GetValueOrDefault(name), definition.TransientRetries);
        })];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> WireNames = new(StringComparer.Ordinal);
}
