/** Helpers shared by the back-end services. */
export * from "./log.ts";
export * from "./retry.ts";
export * from "./schema.ts";
