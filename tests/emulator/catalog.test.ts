import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Catalog } from "../../emulator/src/index";
import catalogData from "../../emulator/data/eks-catalog.json";

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
    assert.match(catalog.latestRelease("AL2023", "1.31") ?? "", /^1\.31\.\d+-\d{8}$/);
    assert.match(catalog.latestRelease("BOTTLEROCKET", "1.31") ?? "", /^\d+\.\d+\.\d+-[0-9a-f]{8}$/);
    assert.match(catalog.latestRelease("WINDOWS", "1.31") ?? "", /^1\.31-\d{4}\.\d{2}\.\d{2}$/);
  });

  it("keeps every list in its published order, whatever the strings look like", () => {
    const published = (catalogData as { amiReleases: Record<string, Record<string, string[]>> }).amiReleases;
    for (const [family, perMinor] of Object.entries(published)) {
      for (const [minor, list] of Object.entries(perMinor)) {
        assert.deepEqual(catalog.releasesFor(family as "AL2", minor), list, `${family} ${minor}`);
      }
    }
    // 1.51.0-47438798 has an all-digit build id; it was published before 1.58.0-c5c37032.
    assert.equal(catalog.latestRelease("BOTTLEROCKET", "1.34"), "1.58.0-c5c37032");
    assert.ok(catalog.isOlderRelease("BOTTLEROCKET", "1.34", "1.51.0-47438798", "1.58.0-c5c37032"));
    assert.ok(!catalog.isOlderRelease("BOTTLEROCKET", "1.34", "1.58.0-c5c37032", "1.51.0-47438798"));
  });

  it("takes what a seed adds as published after the catalog's releases", () => {
    const seeded = Catalog.default().merge({ amiReleases: { AL2023: { "1.31": ["1.31.99-20000101"] } } });
    assert.equal(seeded.latestRelease("AL2023", "1.31"), "1.31.99-20000101");
  });
});
