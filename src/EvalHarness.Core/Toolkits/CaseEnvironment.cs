using EvalHarness.Core.Suites;

namespace EvalHarness.Core.Toolkits;

/// <summary>The world one case runs in, fresh for every case so cases cannot affect each other.</summary>
public sealed class CaseEnvironment
{
    private CaseEnvironment(Fixtures fixtures)
    {
        Orders = new OrdersDatabase(fixtures.Orders);
        Mail = new Mailbox();
    }

    /// <summary>The orders database.</summary>
    public OrdersDatabase Orders { get; }

    /// <summary>The outbox.</summary>
    public Mailbox Mail { get; }

    /// <summary>Creates a fresh environment seeded from a suite's fixtures.</summary>
    public static CaseEnvironment Create(Fixtures fixtures) => new(fixtures);
}
