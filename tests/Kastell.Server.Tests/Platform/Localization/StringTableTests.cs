using Kastell.Server.Platform.Localization;

namespace Kastell.Server.Tests.Platform.Localization;

/// <summary>The per-feature string tables: merged at start-up, and anything that would lose a text stops it.</summary>
public sealed class StringTableTests
{
    [Fact]
    public void EveryFeatureAndThePlatform_BringTheirOwnTable()
    {
        var sources = new TsvStringLocalizer().Texts.Values.Select(t => t.Source).ToHashSet();
        var features = typeof(Program).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Kastell.Server.Platform.Hosting.FeatureModule)))
            .Select(t => t.Namespace!.Split('.')[3] + "/strings.tsv");
        Assert.Subset(sources, new HashSet<string>(features) { "Localization/strings.tsv" });
    }

    [Fact]
    public void AKeyDefinedTwice_IsRefused_NamingBothFiles()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TsvStringLocalizer.Parse(
            [("A/strings.tsv", "key\ten\tde\nSave\tSave\tSpeichern\n"), ("B/strings.tsv", "key\ten\tde\nSave\tStore\tSichern\n")]));
        Assert.Contains("B/strings.tsv, line 2: the key Save is already defined in A/strings.tsv", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("key\ten\tde\nSave\tSave\t\n")] // no German
    [InlineData("key\ten\tde\nSave\tSave\n")] // a column short
    [InlineData("key\ten\tde\nSave\tSave\tSpeichern\textra\n")]
    [InlineData("name\tenglish\tgerman\nSave\tSave\tSpeichern\n")] // wrong header
    public void AMissingTranslationOrMalformedLine_IsRefused(string table) =>
        Assert.Throws<InvalidOperationException>(() => TsvStringLocalizer.Parse([("A/strings.tsv", table)]));

    [Fact]
    public void Texts_FollowTheUiCulture_AndAnUnknownKeyIsMarkedNotFound()
    {
        var localizer = new TsvStringLocalizer(TsvStringLocalizer.Parse([("A/strings.tsv", "key\ten\tde\nHello\tHello {0}\tHallo {0}\n")]));
        var previous = System.Globalization.CultureInfo.CurrentUICulture;
        try
        {
            System.Globalization.CultureInfo.CurrentUICulture = new("de");
            Assert.Equal("Hallo Anna", localizer["Hello", "Anna"].Value);
            System.Globalization.CultureInfo.CurrentUICulture = new("en");
            Assert.Equal("Hello Anna", localizer["Hello", "Anna"].Value);
            Assert.True(localizer["Nope"].ResourceNotFound);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = previous;
        }
    }
}
