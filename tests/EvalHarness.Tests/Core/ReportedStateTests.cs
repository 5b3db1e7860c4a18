using System.Text.Json;
using EvalHarness.Core.UnderTest;

namespace EvalHarness.Tests.Core;

public sealed class ReportedStateTests
{
    private static readonly JsonElement State = JsonDocument.Parse("""
        {
          "orders.A1.status": "flat",
          "orders": { "A1": { "status": "nested", "items": [{ "sku": "S1" }, { "sku": "S2", "tags": ["a", "b"] }] }, "B2": { "status": "open" } },
          "grid": [[1, 2], [3, 4, 5]],
          "mail": { "sent": [{ "to": "a@example.com" }, { "to": "b@example.com" }, { "to": "c@example.com" }] },
          "stats": { "count": 7, "other": 1 },
          "name": "shop"
        }
        """).RootElement;

    private static string? Read(string path) => ReportedState.Read(State, path)?.GetRawText();

    [Fact]
    public void Read_ExactDottedKey_WinsOverTheNestedValue() =>
        Assert.Equal("\"flat\"", Read("orders.A1.status"));

    [Fact]
    public void Read_NestedPath_WalksObjects() =>
        Assert.Equal("\"open\"", Read("orders.B2.status"));

    [Theory]
    [InlineData("orders.A1.items[1].sku", "\"S2\"")]
    [InlineData("orders.A1.items[1].tags[0]", "\"a\"")]
    [InlineData("grid[1][2]", "5")]
    [InlineData("mail.sent[2].to", "\"c@example.com\"")]
    public void Read_Indexes_PickArrayItems(string path, string expected) =>
        Assert.Equal(expected, Read(path));

    [Theory]
    [InlineData("mail.sent.count", "3")]
    [InlineData("orders.count", "2")]
    [InlineData("orders.A1.items[1].tags.count", "2")]
    [InlineData("grid[1].count", "3")]
    public void Read_CountAsLastSegment_CountsTheArrayOrObject(string path, string expected) =>
        Assert.Equal(expected, Read(path));

    [Fact]
    public void Read_RealKeyNamedCount_WinsOverCounting() =>
        Assert.Equal("7", Read("stats.count"));

    [Theory]
    [InlineData("orders.Z9.status")] // no such key
    [InlineData("mail.sent[3].to")] // past the end
    [InlineData("orders[0]")] // an index on an object
    [InlineData("name.length")] // a walk into a string
    [InlineData("name.count")] // count of a scalar
    [InlineData("mail.count.sent")] // count that is not the last segment
    [InlineData("mail.sent.count[0]")] // count with an index is a key, not a count
    [InlineData("mail.sent[99999999999].to")] // an index past any array, too big for an int
    public void Read_NothingThere_IsNull(string path) =>
        Assert.Null(Read(path));

    [Fact]
    public void Read_StateThatIsNotAnObject_IsNull() =>
        Assert.Null(ReportedState.Read(JsonDocument.Parse("[1, 2]").RootElement, "count"));

    [Theory]
    [InlineData("status")]
    [InlineData("orders.A100.status")]
    [InlineData("items[0].id")]
    [InlineData("grid[1][2]")]
    [InlineData("mail.sent.count")]
    [InlineData("a-b.c_d.ü")]
    public void IsValid_DottedNamesWithIndexes_AreValid(string path) =>
        Assert.True(ReportedState.IsValid(path));

    [Theory]
    [InlineData("")]
    [InlineData(".orders")]
    [InlineData("orders.")]
    [InlineData("orders..status")]
    [InlineData("[0]")]
    [InlineData("items[]")]
    [InlineData("items[x]")]
    [InlineData("items[-1]")]
    [InlineData("items[0")]
    [InlineData("order status")]
    public void IsValid_MalformedPaths_AreInvalid(string path) =>
        Assert.False(ReportedState.IsValid(path));
}
