/**
 * Node AMI types: the release family of each, where SSM publishes the latest release for a
 * Kubernetes minor, what a release of the family looks like, and what replaces a retired family.
 */

export type AmiFamily = "AL2" | "AL2023" | "BOTTLEROCKET" | "WINDOWS";

export function amiFamily(amiType: string): AmiFamily | undefined {
  if (amiType.startsWith("AL2023_")) return "AL2023";
  if (amiType.startsWith("AL2_")) return "AL2";
  if (amiType.startsWith("BOTTLEROCKET_")) return "BOTTLEROCKET";
  if (amiType.startsWith("WINDOWS_")) return "WINDOWS";
  return undefined; // CUSTOM: the AMI comes from the node group's launch template
}

/**
 * The SSM parameter holding the newest release of an AMI type for a minor, and how to read it.
 * Windows publishes the release only inside the parent parameter's JSON value.
 */
export function releaseParameter(
  amiType: string,
  minor: string,
): { name: string; json: boolean } | undefined {
  switch (amiFamily(amiType)) {
    case "AL2": {
      const variant = { AL2_x86_64: "", AL2_ARM_64: "-arm64", AL2_x86_64_GPU: "-gpu" }[amiType] ?? "";
      return {
        name: `/aws/service/eks/optimized-ami/${minor}/amazon-linux-2${variant}/recommended/release_version`,
        json: false,
      };
    }
    case "AL2023": {
      const m = /^AL2023_(x86_64|ARM_64)_(\w+)$/.exec(amiType);
      const arch = m?.[1] === "ARM_64" ? "arm64" : "x86_64";
      const flavour = (m?.[2] ?? "STANDARD").toLowerCase();
      return {
        name: `/aws/service/eks/optimized-ami/${minor}/amazon-linux-2023/${arch}/${flavour}/recommended/release_version`,
        json: false,
      };
    }
    case "BOTTLEROCKET": {
      const arch = amiType.includes("ARM_64") ? "arm64" : "x86_64";
      const suffix = `${amiType.includes("NVIDIA") ? "-nvidia" : ""}${amiType.endsWith("FIPS") ? "-fips" : ""}`;
      return {
        name: `/aws/service/bottlerocket/aws-k8s-${minor}${suffix}/${arch}/latest/image_version`,
        json: false,
      };
    }
    case "WINDOWS": {
      const m = /^WINDOWS_(CORE|FULL)_(\d{4})_x86_64$/.exec(amiType);
      const edition = m?.[1] === "FULL" ? "Full" : "Core";
      return {
        name: `/aws/service/ami-windows-latest/Windows_Server-${m?.[2]}-English-${edition}-EKS_Optimized-${minor}`,
        json: true,
      };
    }
    default:
      return undefined;
  }
}

/**
 * The SSM parameter AWS publishes for one exact release, where it publishes one: the image id of
 * an Amazon Linux AMI by its name (the build date names it), of a Bottlerocket release by its
 * version and build id. Windows has no per-release parameter (undefined), so a Windows release
 * other than the newest cannot be checked before a run.
 */
export function releaseImageParameter(amiType: string, minor: string, release: string): string | undefined {
  const date = /-(\d{8})$/.exec(release)?.[1];
  switch (amiFamily(amiType)) {
    case "AL2": {
      const variant = { AL2_x86_64: "", AL2_ARM_64: "-arm64", AL2_x86_64_GPU: "-gpu" }[amiType] ?? "";
      if (!date) return undefined;
      return `/aws/service/eks/optimized-ami/${minor}/amazon-linux-2${variant}/amazon-eks${variant}-node-${minor}-v${date}/image_id`;
    }
    case "AL2023": {
      const m = /^AL2023_(x86_64|ARM_64)_(\w+)$/.exec(amiType);
      const arch = m?.[1] === "ARM_64" ? "arm64" : "x86_64";
      const flavour = (m?.[2] ?? "STANDARD").toLowerCase();
      if (!date) return undefined;
      return `/aws/service/eks/optimized-ami/${minor}/amazon-linux-2023/${arch}/${flavour}/amazon-eks-node-al2023-${arch}-${flavour}-${minor}-v${date}/image_id`;
    }
    case "BOTTLEROCKET": {
      const latest = releaseParameter(amiType, minor)?.name;
      return latest?.replace(/\/latest\/image_version$/, `/${release}/image_id`);
    }
    default:
      return undefined;
  }
}

/** The AMI types a node group on a retired family moves to (same architecture). */
export function replacementAmiTypes(amiType: string): string[] {
  if (amiFamily(amiType) !== "AL2") return [];
  if (amiType === "AL2_ARM_64") return ["AL2023_ARM_64_STANDARD", "BOTTLEROCKET_ARM_64"];
  if (amiType === "AL2_x86_64_GPU") return ["AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA"];
  return ["AL2023_x86_64_STANDARD", "BOTTLEROCKET_x86_64"];
}
