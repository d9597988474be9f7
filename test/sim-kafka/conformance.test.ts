/**
 * The port-level conformance cases (cases.ts) against the simulated Kafka, with and without
 * latency: the same bodies are meant to run against a real broker through the kafkajs adapter.
 */
import { describe, expect, it } from "vitest";
import { CONFORMANCE_CASES } from "../../conformance/cases/kafka.ts";
import { PROFILES } from "../../sim/faults/catalog.ts";
import { runCase } from "./harness.ts";

const LATENCY_ONLY = { ...PROFILES.none, "kafka.latency": 1 };

describe("Log port conformance (sim)", () => {
  for (const [name, body] of Object.entries(CONFORMANCE_CASES)) {
    it(`${name}`, async () => {
      const { world } = await runCase(body);
      expect(world.failures).toEqual([]);
    });
    it(`${name}, with kafka.latency on (seed 3)`, async () => {
      const { world } = await runCase(body, { seed: 3, rates: LATENCY_ONLY });
      expect(world.faults.fired["kafka.latency"]).toBeGreaterThan(0);
      expect(world.failures).toEqual([]);
    });
  }
});
