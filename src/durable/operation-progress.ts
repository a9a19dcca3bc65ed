import { DurableObject } from "cloudflare:workers";

export class OperationProgress extends DurableObject<Env> {}
