using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Rendering;

namespace Kastell.Server.Components;

/// <summary>
/// A password, authenticator-code or recovery-code field. It binds like <see cref="InputText"/> but never renders a
/// value: a form shown again after a failed submit asks for the secret again instead of writing it into the HTML,
/// where it would sit in the browser's cache and history, in proxies and in "view source" on a shared screen.
/// </summary>
public sealed class SecretInput : InputBase<string?>
{
    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "input");
        builder.AddMultipleAttributes(1, AdditionalAttributes);
        builder.AddAttribute(2, "name", NameAttributeValue);
        builder.AddAttribute(3, "class", CssClass);
        builder.AddAttribute(4, "value", "");
        builder.CloseElement();
    }

    protected override bool TryParseValueFromString(string? value, out string? result, [NotNullWhen(false)] out string? validationErrorMessage)
    {
        result = value;
        validationErrorMessage = null;
        return true;
    }
}
