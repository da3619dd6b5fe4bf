/**
 * The emulator's public API: start one, seed it, inject faults, read its audit log.
 * Everything else in this folder is internal.
 */
export type { AuditEntry } from "./audit";
export { Catalog } from "./catalog";
export { SeedError } from "./errors";
export type { Fault, FaultInput } from "./faults";
export { loadSeedFile, parseSeed, type Seed, type SeedInput, seedJsonSchema } from "./seed";
export { Emulator, type StartOptions, startEmulator } from "./server";
export { DEFAULT_TIMING, type TimingModel } from "./timing";
