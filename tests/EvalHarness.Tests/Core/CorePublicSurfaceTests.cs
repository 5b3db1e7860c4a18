using System.Reflection;
using EvalHarness.BuiltIn;
using EvalHarness.Core.Application;

namespace EvalHarness.Tests.Core;

/// <summary>
/// Core's public API is the engine a library user calls (plan, run, publish, results, comparison, the gate), small on
/// purpose, and it names nothing of the built-in runtime's demo world, which can then change freely (issue 25).
/// </summary>
public sealed class CorePublicSurfaceTests
{
    private static readonly Assembly Core = typeof(SuiteEvaluation).Assembly;
    private static readonly Assembly BuiltIn = typeof(CaseEnvironment).Assembly;

    [Fact]
    public void Core_HasAtMostSixtyPublicTypes()
    {
        var types = Core.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal).ToList();

        Assert.True(types.Count <= 60, $"Core exports {types.Count} types (at most 60):\n{string.Join('\n', types)}");
    }

    [Fact]
    public void Core_PublicApi_NamesNoBuiltInType()
    {
        var offending = Core.GetExportedTypes()
            .SelectMany(type => SignatureTypes(type).Where(IsBuiltIn).Select(named => $"{type.FullName} names {named.FullName}"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(offending.Count == 0, string.Join('\n', offending));
    }

    private static bool IsBuiltIn(Type type) =>
        type.Assembly == BuiltIn || (type.IsGenericType && type.GetGenericArguments().Any(IsBuiltIn)) || (type.HasElementType && IsBuiltIn(type.GetElementType()!));

    /// <summary>Every type a user of <paramref name="type"/> can see: its bases, and the visible members' signatures.</summary>
    private static IEnumerable<Type> SignatureTypes(Type type)
    {
        const BindingFlags Visible = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var implemented in type.GetInterfaces())
        {
            yield return implemented;
        }

        foreach (var member in type.GetMembers(Visible))
        {
            switch (member)
            {
                case FieldInfo field when field.IsPublic || field.IsFamily:
                    yield return field.FieldType;
                    break;
                case PropertyInfo property when property.GetMethod is { } getter && (getter.IsPublic || getter.IsFamily):
                    yield return property.PropertyType;
                    break;
                case MethodBase method when method.IsPublic || method.IsFamily:
                    foreach (var parameter in method.GetParameters())
                    {
                        yield return parameter.ParameterType;
                    }

                    if (method is MethodInfo info)
                    {
                        yield return info.ReturnType;
                    }

                    break;
                case EventInfo @event when @event.AddMethod is { IsPublic: true }:
                    yield return @event.EventHandlerType!;
                    break;
            }
        }
    }
}
