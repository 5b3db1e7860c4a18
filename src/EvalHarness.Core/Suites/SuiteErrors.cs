namespace EvalHarness.Core.Suites;

/// <summary>
/// The errors found while loading one suite (its included files too), so one run reports them all: the first
/// <see cref="Limit"/>, then how many more. The same error met twice (a default every scenario inherits) counts once.
/// </summary>
internal sealed class SuiteErrors
{
    /// <summary>The most errors one load lists.</summary>
    public const int Limit = 20;

    private readonly List<SuiteException> _errors = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private int _more;

    public int Count => _errors.Count + _more;

    public void Add(SuiteException error)
    {
        foreach (var one in error.Errors)
        {
            if (_seen.Add(one.Message))
            {
                if (_errors.Count < Limit)
                {
                    _errors.Add(one);
                }
                else
                {
                    _more++;
                }
            }
        }

        _more += error.More;
    }

    /// <summary>Runs <paramref name="read"/>; an error it throws is collected and <paramref name="fallback"/> returned, so loading goes on.</summary>
    public T Try<T>(Func<T> read, T fallback)
    {
        try
        {
            return read();
        }
        catch (SuiteException ex)
        {
            Add(ex);
            return fallback;
        }
    }

    /// <summary>Runs <paramref name="read"/>, which the rest needs: an error it throws ends the load, with those found so far.</summary>
    public T Must<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (SuiteException ex)
        {
            Add(ex);
            throw SuiteException.Of(_errors, _more);
        }
    }

    /// <summary>Ends the load when anything was found.</summary>
    public void ThrowIfAny()
    {
        if (Count > 0)
        {
            throw SuiteException.Of(_errors, _more);
        }
    }
}
