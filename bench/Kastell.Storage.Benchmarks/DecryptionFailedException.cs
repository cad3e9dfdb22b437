namespace Kastell.Server.Platform.Encryption;

/// <summary>The one type the linked cipher sources need from the server's encryption namespace (same shape).</summary>
public sealed class DecryptionFailedException(string message, Exception? inner = null) : Exception(message, inner);
