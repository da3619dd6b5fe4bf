import {
  DescribeUpdateCommand,
  type EKSClient,
  UpdateAddonCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupVersionCommand,
} from "@aws-sdk/client-eks";
import type { Plan } from "@eks-upgrade/engine";

/** The manual procedure's fixed poll interval (`aws eks wait` and eksctl poll every 30 seconds). */
const POLL_SECONDS = 30;

/**
 * The sequential baseline: the procedure of the EKS guides and eksctl, hop by hop. For each minor:
 * the control plane, then each add-on one after another, then every node group one after another
 * (older EKS required node groups to match before the next control-plane step), each waited on
 * with fixed 30-second polls. Add-on versions are the ones our plan uses, so both runs do the same
 * add-on work and EKS accepts every call.
 */
export async function sequentialBaseline(
  eks: EKSClient,
  cluster: string,
  plan: Plan,
  nodegroups: string[],
  timeScale: number,
) {
  const wait = async (updateId: string, query: { nodegroupName?: string; addonName?: string } = {}) => {
    for (;;) {
      await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 * timeScale));
      const { update } = await eks.send(new DescribeUpdateCommand({ name: cluster, updateId, ...query }));
      if (update?.status === "Successful") return;
      if (update?.status !== "InProgress")
        throw new Error(`baseline: update ${updateId} ended ${update?.status}`);
    }
  };
  const addonsUpTo = (index: number) => plan.steps.slice(0, index).filter((s) => s.kind === "addon");
  let done = 0;
  for (const [i, step] of plan.steps.entries()) {
    if (step.kind !== "controlPlane") continue;
    for (const a of addonsUpTo(i).slice(done)) await updateAddon(a.target, a.to);
    done = addonsUpTo(i).length;
    const { update } = await eks.send(new UpdateClusterVersionCommand({ name: cluster, version: step.to }));
    await wait(update?.id ?? "");
    // The add-ons that follow this control-plane step, one after another.
    const next = plan.steps.findIndex((s, j) => j > i && s.kind === "controlPlane");
    const following = plan.steps.slice(i + 1, next < 0 ? undefined : next).filter((s) => s.kind === "addon");
    for (const a of following) await updateAddon(a.target, a.to);
    done += following.length;
    // Every node group to the control plane's minor, one after another (EKS picks the newest AMI).
    for (const name of nodegroups) {
      const ng = await eks.send(
        new UpdateNodegroupVersionCommand({ clusterName: cluster, nodegroupName: name }),
      );
      await wait(ng.update?.id ?? "", { nodegroupName: name });
    }
  }

  async function updateAddon(addonName: string, addonVersion: string) {
    const { update } = await eks.send(
      new UpdateAddonCommand({ clusterName: cluster, addonName, addonVersion }),
    );
    await wait(update?.id ?? "", { addonName });
  }
}
