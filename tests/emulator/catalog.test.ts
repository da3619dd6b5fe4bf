import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Catalog } from "../../emulator/src/index";
import { compareReleases } from "../../emulator/src/versions";

const catalog = Catalog.default();
const MINORS = ["1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34"];
const ADDONS = ["vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "eks-pod-identity-agent"];

describe("built-in catalog (real EKS data)", () => {
  it("covers Kubernetes 1.28-1.34 with their support calendar", () => {
    const known = catalog.kubernetesVersions().map((k) => k.version);
    for (const m of MINORS) assert.ok(known.includes(m), m);
    assert.equal(catalog.minor("1.31")?.endOfStandardSupport, "2025-11-26");
    assert.equal(catalog.minor("1.34")?.endOfExtendedSupport, "2027-12-02");
  });

  it("has exactly one default version per add-on and minor, compatible with that minor", () => {
    for (const name of ADDONS) {
      for (const m of MINORS) {
        const defaults = catalog.addonVersions(name).filter((v) => v.defaultFor.has(m));
        assert.equal(defaults.length, 1, `${name} ${m}`);
        assert.ok(defaults[0]?.compatibleWith.has(m));
      }
    }
  });

  it("has AMI releases for every family and minor, AL2 only up to 1.32, oldest first", () => {
    for (const m of MINORS) {
      for (const family of ["AL2023", "BOTTLEROCKET", "WINDOWS"] as const) {
        assert.ok(catalog.releasesFor(family, m).length > 0, `${family} ${m}`);
      }
      assert.equal(catalog.releasesFor("AL2", m).length > 0, m <= "1.32", `AL2 ${m}`);
    }
    const al2023 = catalog.releasesFor("AL2023", "1.31");
    assert.deepEqual([...al2023].sort(compareReleases), al2023);
    assert.match(catalog.latestRelease("AL2023", "1.31") ?? "", /^1\.31\.\d+-\d{8}$/);
    assert.match(catalog.latestRelease("BOTTLEROCKET", "1.31") ?? "", /^\d+\.\d+\.\d+-[0-9a-f]{8}$/);
    assert.match(catalog.latestRelease("WINDOWS", "1.31") ?? "", /^1\.31-\d{4}\.\d{2}\.\d{2}$/);
  });

  it("orders releases by their date, not as text", () => {
    assert.ok(compareReleases("1.31.10-20250101", "1.31.9-20250201") < 0);
    assert.ok(compareReleases("1.31-2025.01.15", "1.31-2024.12.11") > 0);
    assert.ok(compareReleases("1.10.0-aaaaaaaa", "1.9.2-bbbbbbbb") > 0);
  });
});
