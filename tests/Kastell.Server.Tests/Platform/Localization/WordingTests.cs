using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Platform.Localization;
using Microsoft.AspNetCore.Identity;

namespace Kastell.Server.Tests.Platform.Localization;

/// <summary>
/// The texts read as written by a person: one German word for authentication, real plural forms instead of
/// "code(s)" and "Sitzung(en)", and Identity's own messages in the page's language.
/// </summary>
public sealed partial class WordingTests
{
    private static readonly TsvStringLocalizer Strings = new();

    [Fact]
    public void German_SaysAuthentifizierung_Throughout()
    {
        var mixed = Strings.Texts.Where(t => t.Value.German.Contains("Authentisierung", StringComparison.Ordinal)).Select(t => t.Key).ToList();
        Assert.Empty(mixed);
        Assert.Contains(Strings.Texts.Values, t => t.German.Contains("Authentifizierung", StringComparison.Ordinal));
    }

    [Fact]
    public void NoText_UsesABracketPlural()
    {
        var bracketed = Strings.Texts
            .SelectMany(t => new[] { (t.Key, t.Value.English), (t.Key, t.Value.German) })
            .Where(t => BracketPlural().IsMatch(t.Item2))
            .Select(t => $"{t.Key}: {t.Item2}")
            .ToList();
        Assert.Empty(bracketed);
    }

    [Fact]
    public void EveryPluralText_HasItsOneAndItsOtherForm()
    {
        var keys = Strings.Texts.Keys.ToHashSet();
        var stems = keys.Where(k => k.EndsWith(Plurals.One, StringComparison.Ordinal) || k.EndsWith(Plurals.Other, StringComparison.Ordinal) || k.EndsWith(Plurals.Zero, StringComparison.Ordinal))
            .Select(k => k[..k.LastIndexOf('.')]).ToHashSet();
        Assert.NotEmpty(stems);
        Assert.All(stems, stem =>
        {
            Assert.Contains(stem + Plurals.One, keys);
            Assert.Contains(stem + Plurals.Other, keys);
        });
    }

    [Theory]
    [InlineData("en", 0, "You have no unused recovery codes left.")]
    [InlineData("en", 1, "You have 1 unused recovery code.")]
    [InlineData("en", 7, "You have 7 unused recovery codes.")]
    [InlineData("de", 0, "Sie haben keine unbenutzten Wiederherstellungscodes mehr.")]
    [InlineData("de", 1, "Sie haben 1 unbenutzten Wiederherstellungscode.")]
    [InlineData("de", 7, "Sie haben 7 unbenutzte Wiederherstellungscodes.")]
    public void Plural_PicksTheFormForTheCount(string culture, int count, string starts)
    {
        WithCulture(culture, () => Assert.StartsWith(starts, Strings.Plural("RecoveryCodesLeft", count).Value, StringComparison.Ordinal));
    }

    [Fact]
    public void IdentitysMessages_AreAllLocalized_InBothLanguages()
    {
        var describer = new LocalizedIdentityErrors(Strings);
        var methods = typeof(IdentityErrorDescriber).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.IsVirtual && m.ReturnType == typeof(IdentityError)).ToList();
        Assert.True(methods.Count >= 22, $"Only {methods.Count} describer methods found.");
        foreach (var method in methods)
        {
            Assert.True(describer.GetType().GetMethod(method.Name, [.. method.GetParameters().Select(p => p.ParameterType)])!.DeclaringType == typeof(LocalizedIdentityErrors),
                $"{method.Name} is not localized.");
            object?[] arguments = [.. method.GetParameters().Select(p => p.ParameterType == typeof(int) ? (object)8 : "jörg@example.test")];
            var english = WithCulture("en", () => ((IdentityError)method.Invoke(describer, arguments)!).Description);
            var german = WithCulture("de", () => ((IdentityError)method.Invoke(describer, arguments)!).Description);
            var original = WithCulture("en", () => ((IdentityError)method.Invoke(new IdentityErrorDescriber(), arguments)!).Description);
            Assert.NotEqual(english, german);
            Assert.NotEqual(original, german);
            Assert.Equal(((IdentityError)method.Invoke(new IdentityErrorDescriber(), arguments)!).Code, ((IdentityError)method.Invoke(describer, arguments)!).Code);
        }
    }

    private static T WithCulture<T>(string culture, Func<T> action)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo(culture);
        try
        {
            return action();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    private static void WithCulture(string culture, Action action) => WithCulture(culture, () =>
    {
        action();
        return 0;
    });

    /// <summary>"code(s)", "Sitzung(en)", "unbenutzte(n)": a word with a bracketed ending.</summary>
    [GeneratedRegex(@"\p{L}\((s|n|en|e|es|r)\)")]
    private static partial Regex BracketPlural();
}
