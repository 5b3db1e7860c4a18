using System.Globalization;

namespace EvalHarness.BuiltIn;

/// <summary>Evaluates arithmetic: numbers, + - * / %, parentheses and unary minus. Nothing else can run.</summary>
public static class Calculator
{
    /// <summary>The value of <paramref name="expression"/>.</summary>
    /// <exception cref="FormatException">The expression is not arithmetic; the message says where.</exception>
    public static decimal Evaluate(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var position = 0;
        var value = Sum(expression, ref position);
        Skip(expression, ref position);
        return position == expression.Length ? value : throw new FormatException($"Unexpected '{expression[position]}' at position {position + 1}.");
    }

    private static decimal Sum(string s, ref int i)
    {
        var value = Product(s, ref i);
        while (true)
        {
            Skip(s, ref i);
            if (i < s.Length && s[i] is '+' or '-')
            {
                var op = s[i++];
                var right = Product(s, ref i);
                value = op == '+' ? value + right : value - right;
            }
            else
            {
                return value;
            }
        }
    }

    private static decimal Product(string s, ref int i)
    {
        var value = Unary(s, ref i);
        while (true)
        {
            Skip(s, ref i);
            if (i < s.Length && s[i] is '*' or '/' or '%')
            {
                var op = s[i++];
                var right = Unary(s, ref i);
                if (op != '*' && right == 0)
                {
                    throw new FormatException("Division by zero.");
                }

                value = op switch { '*' => value * right, '/' => value / right, _ => value % right };
            }
            else
            {
                return value;
            }
        }
    }

    private static decimal Unary(string s, ref int i)
    {
        Skip(s, ref i);
        if (i < s.Length && s[i] == '-')
        {
            i++;
            return -Unary(s, ref i);
        }

        if (i < s.Length && s[i] == '(')
        {
            i++;
            var value = Sum(s, ref i);
            Skip(s, ref i);
            return i < s.Length && s[i++] == ')' ? value : throw new FormatException("A '(' is never closed.");
        }

        var start = i;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
        {
            i++;
        }

        return decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException(start < s.Length ? $"Unexpected '{s[start]}' at position {start + 1}." : "The expression ends too early.");
    }

    private static void Skip(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }
    }
}
