using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using EvalHarness.Core.Suites;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Loading a suite of 1,000 scenarios (inputs, tags, <c>output.contains</c> and <c>tools.called</c> expectations,
/// two variants, fixtures) with <see cref="SuiteLoader.Load"/>: reading, parsing, checking and building the model.
/// The baseline reads the same file and parses it with YamlDotNet's <see cref="YamlStream"/> alone, the parse
/// the loader starts from, so the ratio is the cost of the checks and the model over the YAML parse.
/// </summary>
[MemoryDiagnoser]
public class SuiteLoadingBenchmarks
{
    private const int Scenarios = 1_000;
    private string _root = null!;
    private string _path = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = OpenAIWire.TempFolder("suite");
        _path = Path.Combine(_root, "bench.yaml");
        File.WriteAllText(_path, Yaml());
        var suite = SuiteLoader.Load(_path);
        if (suite.Scenarios.Count != Scenarios)
        {
            throw new InvalidOperationException($"The generated suite has {suite.Scenarios.Count} scenarios, not {Scenarios}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(Baseline = true)]
    public int YamlStreamOnly()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(_path)));
        return stream.Documents.Count;
    }

    [Benchmark]
    public int Load() => SuiteLoader.Load(_path).Scenarios.Count;

    private static string Yaml()
    {
        var yaml = new StringBuilder("""
            # A support suite of 1,000 generated scenarios, for benchmarks.
            suite: bench

            agent:
              model: openai:gpt-4o-mini
              system_prompt: |
                You are the customer-support agent of Brightside, an online home-goods shop.
                - Look an order up before you act on it; never guess its status or total.
                - Refund an order only when the customer asks for their money back.
                - Answer briefly and politely, and name the order id and the amount when you refund.
              tools: [orders.lookup_order, orders.list_orders, orders.refund_order, mail.send_email, calculator.evaluate]
              limits: { max_steps: 6 }

            variants:
              - name: default
              - name: prompt-v2
                system_prompt: "You are Brightside's support agent. Check every order with lookup_order before acting, and be brief."

            fixtures:
              orders:

            """);
        for (var i = 0; i < 50; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    - {{ id: A{100 + i}, customer: customer{i}@example.com, total: {10 + (i * 7.5):0.00}, status: {(i % 4 == 0 ? "shipped" : "delivered")}, item: item number {i} }}\n");
        }

        yaml.Append("\nscenarios:\n");
        for (var i = 0; i < Scenarios; i++)
        {
            var order = $"A{100 + (i % 50)}";
            var email = $"customer{i % 50}@example.com";
            yaml.Append(CultureInfo.InvariantCulture, $"  - name: scenario-{i:0000}\n");
            switch (i % 3)
            {
                case 0:
                    yaml.Append(CultureInfo.InvariantCulture, $$"""
                          tags: [refund, orders]
                          critical: {{(i % 50 == 0 ? "true" : "false")}}
                          input: "Order {{order}} arrived broken, I want my money back. (case {{i}})"
                          expect:
                            output: { contains: [refund, {{order}}] }
                            tools:
                              called:
                                - { name: orders.lookup_order, args: { order_id: {{order}} } }
                                - { name: orders.refund_order, args: { order_id: {{order}} } }
                              order: strict
                            max_steps: 3

                      """);
                    break;
                case 1:
                    yaml.Append(CultureInfo.InvariantCulture, $$"""
                          tags: [status]
                          input: "Hi, where is my order {{order}}? (case {{i}})"
                          expect:
                            output: { contains: [{{order}}] }
                            tools:
                              called:
                                - { name: orders.lookup_order, args: { order_id: {{order}} } }
                              not_called: [orders.refund_order]
                            max_steps: 2

                      """);
                    break;
                default:
                    yaml.Append(CultureInfo.InvariantCulture, $$"""
                          tags: [status, email]
                          input: "I'm {{email}}. What have I ordered, and can you email me the list? (case {{i}})"
                          expect:
                            output: { contains: [{{order}}], not_contains: [sorry] }
                            tools:
                              called:
                                - { name: orders.list_orders, args: { customer_email: {{email}} } }
                                - { name: mail.send_email, args: { to: {{email}} } }

                      """);
                    break;
            }
        }

        return yaml.ToString();
    }
}
