import type { ServerResponse } from "node:http";

/**
 * Server-sent events as OpenAI sends them: `data: <json>` lines (Chat Completions), `event: <type>` + `data:`
 * (Responses), a blank line after each. Writes after the client left are dropped rather than thrown.
 */
export class SseWriter {
  constructor(private readonly res: ServerResponse) {}

  open(requestId: string): void {
    this.res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-content-type-options": "nosniff",
      // Proxies such as nginx would otherwise buffer the stream and deliver it in one piece at the end.
      "x-accel-buffering": "no",
      "x-request-id": requestId,
    });
    this.res.flushHeaders();
  }

  get closed(): boolean {
    return this.res.writableEnded || this.res.destroyed;
  }

  data(payload: unknown): void {
    this.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  event(type: string, payload: unknown): void {
    this.write(`event: ${type}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  done(): void {
    this.write("data: [DONE]\n\n");
  }

  end(): void {
    if (!this.closed) this.res.end();
  }

  private write(chunk: string): void {
    if (!this.closed) this.res.write(chunk);
  }
}
