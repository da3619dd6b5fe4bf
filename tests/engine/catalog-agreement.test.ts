import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import catalogData from "../../emulator/data/eks-catalog.json";
import { AMI_TYPES, amiFamily as emulatorFamily } from "../../emulator/src/ami-types";
import { releaseImageParameter } from "../../providers/engine/src/ami";
import { pinKey } from "../../providers/engine/src/plan-lookups";
import { compareReleases, parseRelease } from "../../providers/engine/src/releases";
import { latestReleasesFor, publishedReleasesFor } from "../../providers/engine/src/resolve";
import { type EngineHarness, engineHarness } from "../support/engine";

/*
 * The engine and the emulator keep their own knowledge of AMI releases on purpose (the emulator
 * is what the engine is tested against). Where the two must agree, this compares them over the
 * whole catalog, through the real SDK: the engine reads every published release as its family's
 * and in the order AWS published them, and finds every parameter it asks for where the emulator
 * serves it from the data.
 */

type Family = "AL2" | "AL2023" | "BOTTLEROCKET" | "WINDOWS";
const PUBLISHED = (catalogData as { amiReleases: Record<Family, Record<string, string[]>> }).amiReleases;

/** Every (AMI type, minor, published list), for every AMI type of a family. */
const LISTS = AMI_TYPES.flatMap((amiType) => {
  const family = emulatorFamily(amiType);
  if (!family) return [];
  return Object.entries(PUBLISHED[family]).map(([minor, list]) => ({ amiType, family, minor, list }));
});

describe("engine and emulator agree on AMI releases over the whole catalog", () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness({ clusters: [] });
  });
  after(() => h.stop());

  it("the engine reads every published release as its family's, and orders each list as AWS published it", () => {
    let checked = 0;
    for (const { amiType, minor, list } of LISTS) {
      list.forEach((release, i) => {
        const read = parseRelease(amiType, release);
        assert.ok(read, `${amiType} ${minor}: ${release} not read`);
        if (read.minor !== undefined)
          assert.equal(read.minor, minor, `${amiType}: ${release} names ${read.minor}`);
        if (i > 0) {
          const order = compareReleases(amiType, list[i - 1] as string, release);
          assert.ok(
            order !== undefined && order < 0,
            `${amiType} ${minor}: ${list[i - 1]} before ${release}`,
          );
        }
        checked++;
      });
    }
    assert.ok(checked > 4000, `${checked} releases`);
  });

  it("the newest release the engine reads from SSM is the last one published, for every AMI type and minor", async () => {
    const latest = await latestReleasesFor(
      h.clients,
      LISTS.map(({ amiType, minor }) => ({ amiType, minor })),
    );
    for (const { amiType, minor, list } of LISTS)
      assert.equal(latest[`${amiType}@${minor}`], list.at(-1), `${amiType} ${minor}`);
  });

  it("every published release's own parameter exists where the engine looks for it; Windows publishes none", async () => {
    const pins = LISTS.flatMap(({ amiType, minor, list }) =>
      list.flatMap((release) => {
        const parameter = releaseImageParameter(amiType, minor, release);
        return parameter ? [{ key: pinKey(amiType, minor, release), parameter }] : [];
      }),
    );
    const windows = LISTS.filter((l) => l.family === "WINDOWS");
    assert.ok(windows.length > 0);
    for (const { amiType, minor, list } of windows)
      for (const r of list) assert.equal(releaseImageParameter(amiType, minor, r), undefined);
    const published = await publishedReleasesFor(h.clients, pins);
    const missing = Object.entries(published).filter(([, found]) => !found);
    assert.deepEqual(missing, []);
    assert.ok(pins.length > 3000, `${pins.length} releases looked up`);
    // And a release not in the data is not found, in the same call shape.
    const invented = await publishedReleasesFor(h.clients, [
      {
        key: "x",
        parameter: releaseImageParameter("BOTTLEROCKET_x86_64", "1.34", "1.52.0-0badc0de") as string,
      },
      {
        key: "y",
        parameter: releaseImageParameter("AL2023_x86_64_STANDARD", "1.34", "1.34.9-20260701") as string,
      },
    ]);
    assert.deepEqual(invented, { x: false, y: false });
  });
});
