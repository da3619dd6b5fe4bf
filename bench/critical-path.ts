import { type Plan, planDuration, type Step } from "@eks-upgrade/engine";
import type { Emulator } from "../emulator/src/index";

/**
 * The shortest time the emulator's timing model allows for a plan with a given node group
 * concurrency: phases one after another; an add-on wave as long as its longest update; node groups
 * in `concurrency` lanes. What we take beyond it is our overhead (idle gaps, late completion
 * detection). In simulated milliseconds.
 */
export function criticalPathMs(
  plan: Pick<Plan, "steps">,
  emulator: Emulator,
  concurrency: number,
  /** The plan's cluster (default: the emulator's first). */
  cluster?: string,
): number {
  const timing = emulator.world.timing;
  const clusters = emulator.state().clusters;
  const of = cluster === undefined ? clusters[0] : clusters.find((c) => c.name === cluster);
  const nodegroups = new Map(of?.nodegroups.map((n) => [n.name, n]));
  const duration = (s: Step): number => {
    switch (s.kind) {
      case "controlPlane":
        return timing.controlPlaneMs();
      case "addon":
        return timing.addonMs(s.target);
      case "nodegroupConfig":
        return timing.nodegroupConfigMs();
      case "nodegroup": {
        const n = nodegroups.get(s.target);
        return timing.nodegroupPhases({ desiredSize: n?.desiredSize ?? 2, ...n?.updateConfig }).totalMs;
      }
    }
  };
  return planDuration(plan, concurrency, duration);
}
