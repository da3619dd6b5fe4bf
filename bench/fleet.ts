import { type DesiredSpec, type DesiredSpecInput, parseSpec } from "@eks-upgrade/engine";
import type { Emulator, SeedInput } from "../emulator/src/index";

/** The spec that takes a cluster of the emulator to 1.32 (the target of every benchmark). */
export function emulatorSpec(
  emulator: Emulator,
  clusterName: string,
  extra: Partial<DesiredSpecInput> = {},
): DesiredSpec {
  return parseSpec({
    clusterName,
    region: "us-east-1",
    endpoints: { eks: emulator.url, ssm: emulator.url },
    clusterVersion: "1.32",
    ...extra,
  });
}

/**
 * The reference fleet of the benchmarks: a 1.29 cluster with five add-ons and eight node groups
 * of 2–20 nodes across AMI families (AL2, AL2023 x86/arm, Bottlerocket).
 */
export function referenceFleet(timeScale: number): SeedInput {
  return {
    timeScale,
    startTime: "2026-11-21T00:00:00Z",
    clusters: [
      {
        name: "fleet",
        version: "1.29",
        addons: {
          "vpc-cni": "v1.16.0-eksbuild.1",
          coredns: "v1.11.1-eksbuild.4",
          "kube-proxy": "v1.29.0-eksbuild.1",
          "aws-ebs-csi-driver": "v1.36.0-eksbuild.1",
          "eks-pod-identity-agent": "v1.3.2-eksbuild.2",
        },
        nodegroups: [
          {
            name: "web",
            amiType: "AL2023_x86_64_STANDARD",
            version: "1.29",
            desiredSize: 20,
            maxUnavailable: 4,
          },
          {
            name: "api",
            amiType: "AL2023_x86_64_STANDARD",
            version: "1.29",
            desiredSize: 12,
            maxUnavailablePercentage: 25,
          },
          {
            name: "workers",
            amiType: "AL2023_ARM_64_STANDARD",
            version: "1.29",
            desiredSize: 8,
            maxUnavailable: 2,
          },
          {
            name: "batch",
            amiType: "BOTTLEROCKET_x86_64",
            version: "1.29",
            desiredSize: 6,
            maxUnavailable: 2,
          },
          { name: "system", amiType: "BOTTLEROCKET_ARM_64", version: "1.29", desiredSize: 3 },
          { name: "legacy", amiType: "AL2_x86_64", version: "1.29", desiredSize: 4 },
          { name: "gpu", amiType: "AL2023_x86_64_NVIDIA", version: "1.29", desiredSize: 2 },
          { name: "canary", amiType: "AL2023_x86_64_STANDARD", version: "1.29", desiredSize: 2 },
        ],
      },
    ],
  };
}

/** A preview-sized cluster: 50 node groups, 10 add-ons (5 of them catalog extensions). */
export function previewFleet(): SeedInput {
  const extra = Array.from({ length: 5 }, (_, i) => `team-addon-${i}`);
  const types = [
    "AL2023_x86_64_STANDARD",
    "AL2023_ARM_64_STANDARD",
    "BOTTLEROCKET_x86_64",
    "AL2_x86_64",
    "BOTTLEROCKET_ARM_64",
  ] as const;
  return {
    timeScale: 1,
    catalog: {
      addons: Object.fromEntries(
        extra.map((name) => [
          name,
          ["1.29", "1.30", "1.31", "1.32"].map((m, i) => ({
            version: `v1.${i}.0-eksbuild.1`,
            compatibleWith: [m],
            defaultFor: [m],
          })),
        ]),
      ),
    },
    clusters: [
      {
        name: "big",
        version: "1.29",
        addons: {
          "vpc-cni": "v1.18.6-eksbuild.1",
          coredns: "v1.11.1-eksbuild.4",
          "kube-proxy": "v1.29.0-eksbuild.1",
          "aws-ebs-csi-driver": "v1.36.0-eksbuild.1",
          "eks-pod-identity-agent": "v1.3.2-eksbuild.2",
          ...Object.fromEntries(extra.map((n) => [n, "v1.0.0-eksbuild.1"])),
        },
        nodegroups: Array.from({ length: 50 }, (_, i) => ({
          name: `ng-${String(i).padStart(2, "0")}`,
          amiType: types[i % types.length],
          version: "1.29",
          desiredSize: 2 + (i % 7),
        })),
      },
    ],
  };
}
