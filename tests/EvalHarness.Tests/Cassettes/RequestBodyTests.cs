using EvalHarness.Cassettes.Server;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Tests.Cassettes;

/// <summary>Reading a request's body: the buffer follows the bytes that arrive, not the length a client claims.</summary>
public sealed class RequestBodyTests
{
    [Fact]
    public async Task ReadAsync_DeclaredLengthFarOverTheData_ReadsWhatArrivedWithoutReservingTheClaim()
    {
        // A client may declare 2 GB and send 13 bytes: reserving the claim would fail (no byte array is that long) or take 2 GB.
        var context = new DefaultHttpContext();
        context.Request.ContentLength = int.MaxValue;
        context.Request.Body = new MemoryStream("{\"model\":\"x\"}"u8.ToArray());

        var body = await RequestBody.ReadAsync(context.Request, [], TestContext.Current.CancellationToken);

        Assert.Equal("{\"model\":\"x\"}"u8.ToArray(), body.Raw);
    }

    [Fact]
    public async Task ReadAsync_BodyLargerThanTheFirstChunk_IsReadWhole()
    {
        var bytes = Enumerable.Range(0, 100_000).Select(i => (byte)('a' + (i % 26))).ToArray();
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);

        var body = await RequestBody.ReadAsync(context.Request, [], TestContext.Current.CancellationToken);

        Assert.Equal(bytes, body.Raw);
    }
}
