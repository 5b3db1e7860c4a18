using System.Text;
using EvalHarness.Cassettes.Matching;

namespace EvalHarness.Tests.Cassettes;

public sealed class JsonTextTests
{
    private static bool Same(string a, string b) => JsonText.SameUpToEscapes(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    [Theory]
    [InlineData("""{"a":"x"}""", """{"a":"x"}""")]
    [InlineData("""{"d":"(1200 + 340.5) * 0.2"}""", """{"d":"(1200 \u002B 340.5) * 0.2"}""")]
    [InlineData("""{"d":"it's"}""", """{"d":"it\u0027s"}""")]
    [InlineData("""{"d":"<b>&"}""", """{"d":"\u003Cb\u003E\u0026"}""")]
    [InlineData("""{"d":"say \"hi\""}""", """{"d":"say \u0022hi\u0022"}""")]
    [InlineData("""{"d":"a\\b"}""", """{"d":"a\u005Cb"}""")]
    [InlineData("""{"d":"ünï 😀"}""", """{"d":"\u00FCn\u00EF \uD83D\uDE00"}""")]
    [InlineData("""{"d":"line\nnext"}""", """{"d":"line\u000Anext"}""")]
    [InlineData("""{"d":"a/b"}""", """{"d":"a\/b"}""")]
    public void SameUpToEscapes_SameValuesEscapedDifferently_AreTheSame(string a, string b)
    {
        Assert.True(Same(a, b));
        Assert.True(Same(b, a));
    }

    [Theory]
    [InlineData("""{"a":"x"}""", """{"a":"y"}""")]
    [InlineData("""{"a":"x"}""", """{"a":"x","b":1}""")]
    [InlineData("""{"d":"(1200 + 340.5)"}""", """{"d":"(1200 \u002D 340.5)"}""")]
    [InlineData("""{"d":"😀"}""", """{"d":"\uD83D\uDE01"}""")]
    [InlineData("""{"d":"\\u0041"}""", """{"d":"\\u0042"}""")]
    [InlineData("""{"d":"\\u0041"}""", """{"d":"A"}""")]
    [InlineData("""{"a":"x","b":"y"}""", """{"a":"x\",\"b\":\"y"}""")]
    [InlineData("""{"n":1.0}""", """{"n":1}""")]
    [InlineData("""{"a":1}""", """{ "a": 1 }""")]
    public void SameUpToEscapes_DifferentTexts_AreNot(string a, string b)
    {
        Assert.False(Same(a, b));
        Assert.False(Same(b, a));
    }
}
