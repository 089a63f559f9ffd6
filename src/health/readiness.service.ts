import { Injectable } from '@nestjs/common';

export interface ReadinessResult {
  ready: boolean;
  details?: Record<string, unknown>;
}

export type ReadinessCheck = () => Promise<ReadinessResult>;

/**
 * Named readiness checks. The data layer's check is built in; other modules (the
 * inference pool: required models loaded) register theirs at start-up.
 */
@Injectable()
export class ReadinessService {
  private readonly checks = new Map<string, ReadinessCheck>();
  private draining = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Set on SIGTERM so load balancers stop sending traffic while in-flight work finishes. */
  markDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  entries(): [string, ReadinessCheck][] {
    return [...this.checks.entries()];
  }
}
