namespace EvalHarness.Agents.Memory;

/// <summary>Something the agent remembered.</summary>
/// <param name="Id">The store's id for it.</param>
/// <param name="Text">What was remembered.</param>
/// <param name="RememberedAt">When.</param>
public sealed record MemoryRecord(long Id, string Text, DateTimeOffset RememberedAt);
