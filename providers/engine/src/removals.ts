/**
 * What a Kubernetes minor takes away that the cluster's own objects may still use, as data with
 * its source. Each entry is checked against the API server for the node groups a plan moves to
 * that minor or past it (drain-checks.ts): the pods on their nodes are recreated on the new kubelet.
 */
export interface Removal {
  /** The first minor without it. */
  minor: string;
  /** Which check reads the cluster for it. */
  check: "REMOVED_GITREPO_VOLUME";
  what: string;
  source: string;
}

export const REMOVALS: readonly Removal[] = [
  {
    // KEP-5040: disabled by default in 1.33 (the GitRepoVolumeDriver gate could turn it back
    // on), the gate locked off from 1.36.
    minor: "1.36",
    check: "REMOVED_GITREPO_VOLUME",
    what: "the in-tree gitRepo volume plugin (disabled by default since 1.33, locked off in 1.36)",
    source: "https://github.com/kubernetes/enhancements/issues/5040",
  },
];
