/** Settlement: persists balance events, trades, order states and verdicts. See engine/README.md. */
export * from "./service.ts";
