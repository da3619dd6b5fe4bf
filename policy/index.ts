import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// Run in previews: pulumi preview --policy-pack policy
new PolicyPack("eks-upgrade", { policies });
