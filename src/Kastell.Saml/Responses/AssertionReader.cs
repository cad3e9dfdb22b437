using System.Xml;
using Kastell.Saml.Xml;

namespace Kastell.Saml;

/// <summary>
/// Reads and checks a verified assertion (the element a signature covers, or an assertion inside a verified
/// response). Every value is read with <see cref="SecureXml.ReadText"/>, which refuses comments inside values.
/// </summary>
internal sealed class AssertionReader(SamlServiceProvider serviceProvider, SamlIdentityProvider identityProvider, SamlSecurityOptions options, DateTimeOffset now, IReadOnlyCollection<string> outstandingRequestIds)
{
    private readonly TimeSpan _skew = options.ClockSkew;

    public SamlResponseValidator.Outcome Read(XmlElement assertion, string? responseInResponseTo, bool responseSigned, bool assertionSigned, bool encrypted)
    {
        var id = SecureXml.Attribute(assertion, "ID");
        if (SecureXml.Attribute(assertion, "Version") != "2.0" || string.IsNullOrEmpty(id) || !SecureXml.TryParseInstant(SecureXml.Attribute(assertion, "IssueInstant"), out _))
        {
            return Fail(SamlRefusalReason.MalformedResponse, "the assertion needs Version 2.0, an ID and an IssueInstant");
        }

        var issuer = SecureXml.Single(assertion, SamlNames.Assertion, "Issuer", out _);
        if (issuer is null)
        {
            return Fail(SamlRefusalReason.IssuerMismatch, "the assertion needs exactly one Issuer");
        }

        if (CheckIssuer(issuer, identityProvider.EntityId) is { } issuerRefusal)
        {
            return new(issuerRefusal, null, default);
        }

        var conditions = CheckConditions(assertion, out var conditionsEnd);
        if (conditions is not null)
        {
            return new(conditions, null, default);
        }

        var subject = SecureXml.Single(assertion, SamlNames.Assertion, "Subject", out _);
        if (subject is null)
        {
            return Fail(SamlRefusalReason.MissingNameId, "the assertion needs exactly one Subject");
        }

        var nameIdElement = SecureXml.Single(subject, SamlNames.Assertion, "NameID", out _);
        if (nameIdElement is null)
        {
            return Fail(SamlRefusalReason.MissingNameId, "the subject needs exactly one NameID (EncryptedID and BaseID are not supported)");
        }

        if (ReadValue(nameIdElement, "NameID", out var nameId) is { } nameIdRefusal)
        {
            return new(nameIdRefusal, null, default);
        }

        if (nameId.Length == 0)
        {
            return Fail(SamlRefusalReason.MissingNameId, "the NameID is empty");
        }

        var confirmation = CheckBearer(subject, responseInResponseTo, responseSigned, out var inResponseTo, out var confirmationEnd);
        if (confirmation is not null)
        {
            return new(confirmation, null, default);
        }

        var authn = SecureXml.Children(assertion, SamlNames.Assertion, "AuthnStatement").FirstOrDefault();
        if (authn is null)
        {
            return Fail(SamlRefusalReason.MissingAuthnStatement, "the assertion has no AuthnStatement");
        }

        if (!SecureXml.TryParseInstant(SecureXml.Attribute(authn, "AuthnInstant"), out var authnInstant))
        {
            return Fail(SamlRefusalReason.MalformedResponse, "the AuthnStatement needs an AuthnInstant");
        }

        DateTimeOffset? sessionEnd = null;
        if (SecureXml.Attribute(authn, "SessionNotOnOrAfter") is { } sessionText)
        {
            if (!SecureXml.TryParseInstant(sessionText, out var parsed))
            {
                return Fail(SamlRefusalReason.MalformedResponse, "SessionNotOnOrAfter is not a time");
            }

            if (now >= parsed + _skew)
            {
                return Fail(SamlRefusalReason.SessionExpired, $"the session ended at {parsed:O}");
            }

            sessionEnd = parsed;
        }

        string? classRef = null;
        var context = SecureXml.Single(authn, SamlNames.Assertion, "AuthnContext", out _);
        var classRefElement = context is null ? null : SecureXml.Single(context, SamlNames.Assertion, "AuthnContextClassRef", out _);
        if (classRefElement is not null)
        {
            if (ReadValue(classRefElement, "AuthnContextClassRef", out var text) is { } classRefRefusal)
            {
                return new(classRefRefusal, null, default);
            }

            classRef = text;
        }

        var attributes = new List<SamlAttribute>();
        if (ReadAttributes(assertion, attributes) is { } attributeRefusal)
        {
            return new(attributeRefusal, null, default);
        }

        var principal = new SamlPrincipal
        {
            Issuer = identityProvider.EntityId,
            NameId = nameId,
            NameIdFormat = SecureXml.Attribute(nameIdElement, "Format"),
            SessionIndex = SecureXml.Attribute(authn, "SessionIndex"),
            AuthnInstant = authnInstant,
            AuthnContextClassRef = classRef,
            SessionNotOnOrAfter = sessionEnd,
            Attributes = attributes,
            AssertionId = id,
            InResponseTo = inResponseTo,
            ResponseSigned = responseSigned,
            AssertionSigned = assertionSigned,
            AssertionEncrypted = encrypted,
        };

        // The id must be remembered as long as the assertion could still pass the time checks.
        var lastAcceptable = conditionsEnd is { } end && end < confirmationEnd ? end : confirmationEnd;
        return new(null, principal, lastAcceptable + _skew);
    }

    public static SamlRefusal? CheckIssuer(XmlElement issuer, string expected)
    {
        if (ReadValue(issuer, "Issuer", out var text) is { } refusal)
        {
            return refusal;
        }

        var format = SecureXml.Attribute(issuer, "Format");
        return text == expected && (format is null || format == SamlNames.EntityNameIdFormat)
            ? null
            : new SamlRefusal(SamlRefusalReason.IssuerMismatch, $"issuer {SecureXml.ForLog(text)}, expected {SecureXml.ForLog(expected)}");
    }

    private SamlRefusal? CheckConditions(XmlElement assertion, out DateTimeOffset? end)
    {
        end = null;
        var conditions = SecureXml.Single(assertion, SamlNames.Assertion, "Conditions", out var count);
        if (conditions is null)
        {
            // The Web Browser SSO profile requires an AudienceRestriction, so Conditions must be there.
            return new SamlRefusal(count > 1 ? SamlRefusalReason.MalformedResponse : SamlRefusalReason.AudienceMismatch, "the assertion needs exactly one Conditions");
        }

        if (SecureXml.Attribute(conditions, "NotBefore") is { } notBeforeText)
        {
            if (!SecureXml.TryParseInstant(notBeforeText, out var notBefore))
            {
                return new SamlRefusal(SamlRefusalReason.MalformedResponse, "Conditions NotBefore is not a time");
            }

            if (now + _skew < notBefore)
            {
                return new SamlRefusal(SamlRefusalReason.AssertionNotYetValid, $"valid from {notBefore:O}");
            }
        }

        if (SecureXml.Attribute(conditions, "NotOnOrAfter") is { } notOnOrAfterText)
        {
            if (!SecureXml.TryParseInstant(notOnOrAfterText, out var notOnOrAfter))
            {
                return new SamlRefusal(SamlRefusalReason.MalformedResponse, "Conditions NotOnOrAfter is not a time");
            }

            if (now >= notOnOrAfter + _skew)
            {
                return new SamlRefusal(SamlRefusalReason.AssertionExpired, $"expired at {notOnOrAfter:O}");
            }

            end = notOnOrAfter;
        }

        var restrictions = 0;
        foreach (var condition in SecureXml.Children(conditions))
        {
            if (SecureXml.Is(condition, SamlNames.Assertion, "AudienceRestriction"))
            {
                restrictions++;
                var audiences = new List<string>();
                foreach (var audience in SecureXml.Children(condition, SamlNames.Assertion, "Audience"))
                {
                    if (ReadValue(audience, "Audience", out var text) is { } refusal)
                    {
                        return refusal;
                    }

                    audiences.Add(text);
                }

                // Audiences within one restriction are alternatives; several restrictions must all hold.
                if (!audiences.Contains(serviceProvider.EntityId, StringComparer.Ordinal))
                {
                    return new SamlRefusal(SamlRefusalReason.AudienceMismatch, $"audiences [{string.Join(", ", audiences.Select(SecureXml.ForLog))}]");
                }
            }
            else if (!SecureXml.Is(condition, SamlNames.Assertion, "OneTimeUse") && !SecureXml.Is(condition, SamlNames.Assertion, "ProxyRestriction"))
            {
                return new SamlRefusal(SamlRefusalReason.UnsupportedCondition, $"condition {SecureXml.ForLog(condition.Name)}");
            }
        }

        return restrictions == 0 ? new SamlRefusal(SamlRefusalReason.AudienceMismatch, "no AudienceRestriction") : null;
    }

    /// <summary>At least one bearer confirmation must hold; the first failure names the refusal when none does.</summary>
    private SamlRefusal? CheckBearer(XmlElement subject, string? responseInResponseTo, bool responseSigned, out string? inResponseTo, out DateTimeOffset end)
    {
        inResponseTo = null;
        end = default;
        SamlRefusal? firstFailure = null;
        var bearers = 0;
        var latest = DateTimeOffset.MinValue;
        string? accepted = null;
        var found = false;
        foreach (var confirmation in SecureXml.Children(subject, SamlNames.Assertion, "SubjectConfirmation"))
        {
            if (SecureXml.Attribute(confirmation, "Method") != SamlNames.BearerConfirmation)
            {
                continue;
            }

            bearers++;
            var failure = CheckOneBearer(confirmation, responseInResponseTo, responseSigned, out var effective, out var notOnOrAfter);
            if (notOnOrAfter is { } value && value > latest)
            {
                latest = value;
            }

            if (failure is null && !found)
            {
                found = true;
                accepted = effective;
            }
            else
            {
                firstFailure ??= failure;
            }
        }

        if (bearers == 0)
        {
            return new SamlRefusal(SamlRefusalReason.NoBearerConfirmation, "no SubjectConfirmation with the bearer method");
        }

        if (!found)
        {
            return firstFailure;
        }

        inResponseTo = accepted;
        end = latest;
        return null;
    }

    private SamlRefusal? CheckOneBearer(XmlElement confirmation, string? responseInResponseTo, bool responseSigned, out string? effective, out DateTimeOffset? notOnOrAfter)
    {
        effective = null;
        notOnOrAfter = null;
        var data = SecureXml.Single(confirmation, SamlNames.Assertion, "SubjectConfirmationData", out _);
        if (data is null)
        {
            return new SamlRefusal(SamlRefusalReason.ConfirmationExpired, "the bearer confirmation needs one SubjectConfirmationData with NotOnOrAfter");
        }

        if (!SecureXml.TryParseInstant(SecureXml.Attribute(data, "NotOnOrAfter"), out var end))
        {
            return new SamlRefusal(SamlRefusalReason.ConfirmationExpired, "the bearer confirmation has no valid NotOnOrAfter");
        }

        notOnOrAfter = end;
        if (now >= end + _skew)
        {
            return new SamlRefusal(SamlRefusalReason.ConfirmationExpired, $"the bearer confirmation expired at {end:O}");
        }

        if (SecureXml.Attribute(data, "NotBefore") is { } notBeforeText
            && (!SecureXml.TryParseInstant(notBeforeText, out var notBefore) || now + _skew < notBefore))
        {
            return new SamlRefusal(SamlRefusalReason.ConfirmationExpired, $"the bearer confirmation is not valid before {SecureXml.ForLog(notBeforeText)}");
        }

        var recipient = SecureXml.Attribute(data, "Recipient");
        if (recipient != serviceProvider.AssertionConsumerServiceUrl)
        {
            return new SamlRefusal(SamlRefusalReason.RecipientMismatch, $"recipient {SecureXml.ForLog(recipient)}");
        }

        return CheckInResponseTo(responseInResponseTo, responseSigned, SecureXml.Attribute(data, "InResponseTo"), out effective);
    }

    /// <summary>
    /// Every InResponseTo present must be an outstanding request id, and they must agree. Only one inside signed
    /// content makes the response solicited: an unsigned response's InResponseTo can be pasted onto a stolen
    /// unsolicited assertion.
    /// </summary>
    private SamlRefusal? CheckInResponseTo(string? responseValue, bool responseSigned, string? confirmationValue, out string? effective)
    {
        effective = null;
        foreach (var value in new[] { responseValue, confirmationValue })
        {
            if (value is not null && !outstandingRequestIds.Contains(value, StringComparer.Ordinal))
            {
                return new SamlRefusal(SamlRefusalReason.UnknownInResponseTo, $"InResponseTo {SecureXml.ForLog(value)} is not an outstanding request");
            }
        }

        if (responseValue is not null && confirmationValue is not null && responseValue != confirmationValue)
        {
            return new SamlRefusal(SamlRefusalReason.UnknownInResponseTo, "the response and the confirmation answer different requests");
        }

        effective = confirmationValue ?? (responseSigned ? responseValue : null);
        return effective is null && !options.AllowUnsolicitedResponses
            ? new SamlRefusal(SamlRefusalReason.UnsolicitedResponse, "the signed content answers no request and unsolicited responses are not allowed")
            : null;
    }

    private static SamlRefusal? ReadAttributes(XmlElement assertion, List<SamlAttribute> attributes)
    {
        foreach (var statement in SecureXml.Children(assertion, SamlNames.Assertion, "AttributeStatement"))
        {
            // EncryptedAttribute is skipped: leaving a value out never grants more.
            foreach (var attribute in SecureXml.Children(statement, SamlNames.Assertion, "Attribute"))
            {
                var name = SecureXml.Attribute(attribute, "Name");
                if (string.IsNullOrEmpty(name))
                {
                    return new SamlRefusal(SamlRefusalReason.MalformedResponse, "an Attribute without Name");
                }

                var values = new List<string>();
                foreach (var value in SecureXml.Children(attribute, SamlNames.Assertion, "AttributeValue"))
                {
                    switch (SecureXml.ReadText(value, out var text))
                    {
                        case TextRead.Ok:
                            values.Add(text);
                            break;
                        case TextRead.HasMarkup:
                            return new SamlRefusal(SamlRefusalReason.UnexpectedMarkupInValue, $"a comment or processing instruction in attribute {SecureXml.ForLog(name)}");
                        case TextRead.HasElements:
                            // Structured values (an eduPersonTargetedID NameID, ...) are not read.
                            break;
                    }
                }

                attributes.Add(new SamlAttribute(name, SecureXml.Attribute(attribute, "NameFormat"), SecureXml.Attribute(attribute, "FriendlyName"), values));
            }
        }

        return null;
    }

    private static SamlRefusal? ReadValue(XmlElement element, string what, out string text) =>
        SecureXml.ReadText(element, out text) switch
        {
            TextRead.Ok => null,
            TextRead.HasMarkup => new SamlRefusal(SamlRefusalReason.UnexpectedMarkupInValue, $"a comment or processing instruction inside {what}"),
            _ => new SamlRefusal(SamlRefusalReason.MalformedResponse, $"elements inside {what}"),
        };

    private static SamlResponseValidator.Outcome Fail(SamlRefusalReason reason, string detail) => new(new SamlRefusal(reason, detail), null, default);
}
