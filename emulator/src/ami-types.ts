/**
 * Node AMI types: which release family each belongs to and where the public SSM parameters for its
 * latest release live (paths from the EKS user guide; see shared EKS-API notes in the README).
 */

export type AmiFamily = "AL2" | "AL2023" | "BOTTLEROCKET" | "WINDOWS";

export const AMI_TYPES = [
  "AL2_x86_64",
  "AL2_x86_64_GPU",
  "AL2_ARM_64",
  "CUSTOM",
  "BOTTLEROCKET_ARM_64",
  "BOTTLEROCKET_x86_64",
  "BOTTLEROCKET_ARM_64_FIPS",
  "BOTTLEROCKET_x86_64_FIPS",
  "BOTTLEROCKET_ARM_64_NVIDIA",
  "BOTTLEROCKET_x86_64_NVIDIA",
  "BOTTLEROCKET_ARM_64_NVIDIA_FIPS",
  "BOTTLEROCKET_x86_64_NVIDIA_FIPS",
  "WINDOWS_CORE_2019_x86_64",
  "WINDOWS_FULL_2019_x86_64",
  "WINDOWS_CORE_2022_x86_64",
  "WINDOWS_FULL_2022_x86_64",
  "WINDOWS_CORE_2025_x86_64",
  "WINDOWS_FULL_2025_x86_64",
  "AL2023_x86_64_STANDARD",
  "AL2023_ARM_64_STANDARD",
  "AL2023_x86_64_NEURON",
  "AL2023_x86_64_NVIDIA",
  "AL2023_ARM_64_NVIDIA",
] as const;

export type AmiType = (typeof AMI_TYPES)[number];

/** The release family of an AMI type; undefined for CUSTOM (the AMI comes from a launch template). */
export function amiFamily(amiType: AmiType): AmiFamily | undefined {
  if (amiType === "CUSTOM") return undefined;
  if (amiType.startsWith("AL2023_")) return "AL2023";
  if (amiType.startsWith("AL2_")) return "AL2";
  if (amiType.startsWith("BOTTLEROCKET_")) return "BOTTLEROCKET";
  return "WINDOWS";
}

export interface AmiParameterLayout {
  /** Parameter whose value is the release version (Windows: absent, it is inside `recommended`). */
  releaseVersion?: string;
  imageId: string;
  /** Parent parameter with a JSON value: image_id, image_name, release_version. */
  recommended?: string;
  imageName: string;
  /**
   * The parameters AWS publishes for this exact release besides "latest": the image id under the
   * AMI's name (Amazon Linux), under the version with and without its build id (Bottlerocket);
   * none for Windows.
   */
  releaseImageIds: string[];
}

/** SSM parameter names and the AMI name for one AMI type, Kubernetes minor and release. */
export function amiParameterLayout(
  amiType: AmiType,
  minor: string,
  release: string,
): AmiParameterLayout | undefined {
  const family = amiFamily(amiType);
  const date = /-(\d{8})$/.exec(release)?.[1] ?? "";
  switch (family) {
    case "AL2": {
      const variant =
        { AL2_x86_64: "", AL2_ARM_64: "-arm64", AL2_x86_64_GPU: "-gpu" }[amiType as string] ?? "";
      const dir = `/aws/service/eks/optimized-ami/${minor}/amazon-linux-2${variant}`;
      const imageName = `amazon-eks${variant}-node-${minor}-v${date}`;
      return {
        recommended: `${dir}/recommended`,
        releaseVersion: `${dir}/recommended/release_version`,
        imageId: `${dir}/recommended/image_id`,
        imageName,
        releaseImageIds: [`${dir}/${imageName}/image_id`],
      };
    }
    case "AL2023": {
      const [, arch, flavour] = /^AL2023_(x86_64|ARM_64)_(\w+)$/.exec(amiType) ?? [];
      const path = `${arch === "ARM_64" ? "arm64" : "x86_64"}/${(flavour ?? "standard").toLowerCase()}`;
      const dir = `/aws/service/eks/optimized-ami/${minor}/amazon-linux-2023/${path}`;
      const imageName = `amazon-eks-node-al2023-${path.replace("/", "-")}-${minor}-v${date}`;
      return {
        recommended: `${dir}/recommended`,
        releaseVersion: `${dir}/recommended/release_version`,
        imageId: `${dir}/recommended/image_id`,
        imageName,
        releaseImageIds: [`${dir}/${imageName}/image_id`],
      };
    }
    case "BOTTLEROCKET": {
      const arch = amiType.includes("ARM_64") ? "arm64" : "x86_64";
      const suffix = `${amiType.includes("NVIDIA") ? "-nvidia" : ""}${amiType.endsWith("FIPS") ? "-fips" : ""}`;
      const dir = `/aws/service/bottlerocket/aws-k8s-${minor}${suffix}/${arch}`;
      const bare = release.split("-")[0];
      return {
        releaseVersion: `${dir}/latest/image_version`,
        imageId: `${dir}/latest/image_id`,
        imageName: `bottlerocket-aws-k8s-${minor}${suffix}-${arch}-v${release}`,
        releaseImageIds: [`${dir}/${release}/image_id`, `${dir}/${bare}/image_id`],
      };
    }
    case "WINDOWS": {
      const [, edition, year] = /^WINDOWS_(CORE|FULL)_(\d{4})_x86_64$/.exec(amiType) ?? [];
      const edName = edition === "FULL" ? "Full" : "Core";
      const base = `/aws/service/ami-windows-latest/Windows_Server-${year}-English-${edName}-EKS_Optimized-${minor}`;
      return {
        recommended: base,
        imageId: `${base}/image_id`,
        imageName: `${base.split("/").pop()}-${release.split("-")[1]}`,
        releaseImageIds: [],
      };
    }
    default:
      return undefined;
  }
}
