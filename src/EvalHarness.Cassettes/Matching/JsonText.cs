using System.Text;

namespace EvalHarness.Cassettes.Matching;

/// <summary>Compares JSON texts as written, without parsing them.</summary>
public static class JsonText
{
    /// <summary>
    /// Whether two JSON texts are the same text but for how their strings are escaped: <c>"a+b"</c> and
    /// <c>"a\u002Bb"</c> are the same, as are <c>"it's"</c> and <c>"it\u0027s"</c>. Whitespace, key order and
    /// number formats must match exactly, so a false answer means only "not the same text"; the caller then
    /// compares the values. An SDK writes most of a request with one escaping and copies parts (a tool's JSON
    /// Schema) with another, so replay cannot re-write a recording to the SDK's exact bytes.
    /// </summary>
    public static bool SameUpToEscapes(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var (i, j) = (0, 0);
        while (true)
        {
            // Skip the bytes both texts share (vectorised), then back up to the start of the character the texts
            // differ in: an escape or a UTF-8 sequence that began within the shared run (the run starts on a
            // character, so the same offset is a character's start in both).
            var shared = a[i..].CommonPrefixLength(b[j..]);
            if (i + shared == a.Length && j + shared == b.Length)
            {
                return true;
            }

            var step = StartOfCharacter(a, i + shared, floor: i) - i;
            (i, j) = (i + step, j + step);
            if (i == a.Length || j == b.Length
                || !Next(a, ref i, out var x, out var escapedX) || !Next(b, ref j, out var y, out var escapedY) || x != y)
            {
                return false;
            }

            // A quote or backslash written plainly is structure; escaped it is text: both sides must agree.
            if (escapedX != escapedY && (x == '"' || x == '\\'))
            {
                return false;
            }
        }
    }

    /// <summary>The start of the character or escape that the byte at <paramref name="at"/> belongs to, not before <paramref name="floor"/> (a character's start).</summary>
    private static int StartOfCharacter(ReadOnlySpan<byte> text, int at, int floor)
    {
        // Inside a UTF-8 sequence: back to its lead byte.
        while (at > floor && at < text.Length && (text[at] & 0xC0) == 0x80)
        {
            at--;
        }

        // Inside an escape (\uXXXX is at most 6 bytes, \uXXXX\uXXXX 12): back to its backslash, unless it is itself escaped.
        for (var back = 1; back <= 11 && at - back >= floor; back++)
        {
            if (text[at - back] == '\\' && !IsEscapedBackslash(text, at - back, floor))
            {
                return at - back;
            }
        }

        return at;
    }

    /// <summary>Whether the backslash at <paramref name="at"/> is the second of an escaped backslash, counting from <paramref name="floor"/>.</summary>
    private static bool IsEscapedBackslash(ReadOnlySpan<byte> text, int at, int floor)
    {
        var run = 0;
        while (at - 1 - run >= floor && text[at - 1 - run] == '\\')
        {
            run++;
        }

        return run % 2 == 1;
    }

    /// <summary>Reads one character: an escape (decoded, surrogate pairs joined) or a UTF-8 sequence.</summary>
    private static bool Next(ReadOnlySpan<byte> text, ref int at, out int codePoint, out bool escaped)
    {
        escaped = text[at] == '\\';
        if (!escaped)
        {
            var status = Rune.DecodeFromUtf8(text[at..], out var rune, out var length);
            (codePoint, at) = (rune.Value, at + length);
            return status == System.Buffers.OperationStatus.Done;
        }

        if (at + 1 >= text.Length)
        {
            codePoint = 0;
            return false;
        }

        var letter = text[at + 1];
        codePoint = letter switch
        {
            (byte)'"' => '"',
            (byte)'\\' => '\\',
            (byte)'/' => '/',
            (byte)'b' => '\b',
            (byte)'f' => '\f',
            (byte)'n' => '\n',
            (byte)'r' => '\r',
            (byte)'t' => '\t',
            _ => -1,
        };
        if (codePoint >= 0)
        {
            at += 2;
            return true;
        }

        if (letter != 'u' || !Hex(text, at + 2, out var unit))
        {
            return false;
        }

        at += 6;
        if (char.IsHighSurrogate((char)unit) && at + 5 < text.Length && text[at] == '\\' && text[at + 1] == 'u' && Hex(text, at + 2, out var low)
            && char.IsLowSurrogate((char)low))
        {
            codePoint = char.ConvertToUtf32((char)unit, (char)low);
            at += 6;
            return true;
        }

        codePoint = unit;
        return true;
    }

    private static bool Hex(ReadOnlySpan<byte> text, int at, out int value)
    {
        value = 0;
        if (at + 4 > text.Length)
        {
            return false;
        }

        for (var k = 0; k < 4; k++)
        {
            var c = (char)text[at + k];
            var digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiHexDigitLower(c) ? c - 'a' + 10 : char.IsAsciiHexDigitUpper(c) ? c - 'A' + 10 : -1;
            if (digit < 0)
            {
                return false;
            }

            value = (value * 16) + digit;
        }

        return true;
    }
}
