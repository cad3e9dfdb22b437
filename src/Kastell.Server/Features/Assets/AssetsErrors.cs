using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.Assets;

/// <summary>The Assets feature's expected failures (docs/error-codes.md).</summary>
internal static class AssetsErrors
{
    /// <summary>An asset's name is empty, too long or has control characters, or its description is too long.</summary>
    public static readonly Failure AssetInvalid = new("assets.asset-invalid", StatusCodes.Status400BadRequest, "AssetsAssetInvalid");

    /// <summary>Not one of the asset kinds.</summary>
    public static readonly Failure KindInvalid = new("assets.kind-invalid", StatusCodes.Status400BadRequest, "AssetsKindInvalid");

    /// <summary>Not one of the protection levels (normal, high, very high).</summary>
    public static readonly Failure LevelInvalid = new("assets.level-invalid", StatusCodes.Status400BadRequest, "AssetsLevelInvalid");

    /// <summary>A high or very high need, or an override, without a justification (or with one too long or with control characters).</summary>
    public static readonly Failure JustificationRequired = new("assets.justification-required", StatusCodes.Status400BadRequest, "AssetsJustificationRequired");

    /// <summary>The owner is neither a member of the organization nor one of its teams.</summary>
    public static readonly Failure OwnerInvalid = new("assets.owner-invalid", StatusCodes.Status400BadRequest, "AssetsOwnerInvalid");

    /// <summary>The asset depended on is not an asset of the same Space.</summary>
    public static readonly Failure DependencyInvalid = new("assets.dependency-invalid", StatusCodes.Status400BadRequest, "AssetsDependencyInvalid");

    /// <summary>The dependency would close a cycle (an asset depending, directly or through others, on itself).</summary>
    public static readonly Failure DependencyCycle = new("assets.dependency-cycle", StatusCodes.Status409Conflict, "AssetsDependencyCycle");

    /// <summary>The import file is empty, not a CSV or XLSX file, or has no header row.</summary>
    public static readonly Failure ImportFileInvalid = new("assets.import-file-invalid", StatusCodes.Status400BadRequest, "AssetsImportFileInvalid");

    /// <summary>The import file is larger than the import reads.</summary>
    public static readonly Failure ImportFileTooLarge = new("assets.import-file-too-large", StatusCodes.Status413PayloadTooLarge, "AssetsImportFileTooLarge");

    /// <summary>The import file has more rows than one import takes.</summary>
    public static readonly Failure ImportTooManyRows = new("assets.import-too-many-rows", StatusCodes.Status400BadRequest, "AssetsImportTooManyRows");

    /// <summary>Rows of the import file are invalid (each with its row, column and reason); nothing was imported.</summary>
    public static readonly Failure ImportRowsInvalid = new("assets.import-rows-invalid", StatusCodes.Status422UnprocessableEntity, "AssetsImportRowsInvalid");

    /// <summary>The previewed import expired, belongs to someone else or another Space, or was altered.</summary>
    public static readonly Failure ImportExpired = new("assets.import-expired", StatusCodes.Status400BadRequest, "AssetsImportExpired");
}
