/** The matching-engine service around the matching core. See engine/README.md. */
export * from "./service.ts";
