/** Both sides of the conversation, built from Realtime server events (GA names). */

export interface TranscriptEntry {
  /** The conversation item id. */
  id: string;
  speaker: "caller" | "ai";
  text: string;
  final: boolean;
  /** AI text produced while its voice was muted: a suggestion for the agent, not heard by the caller. */
  suggestion: boolean;
  /** Epoch milliseconds when the entry started. */
  at: number;
}

export interface ServerEvent {
  type: string;
  [key: string]: unknown;
}

const PLACEHOLDER_TTL_MS = 10_000;

const str = (value: unknown): string => (typeof value === "string" ? value : "");

export class Transcript {
  private readonly list: TranscriptEntry[] = [];
  private readonly byId = new Map<string, TranscriptEntry>();

  constructor(private readonly now: () => number = Date.now) {}

  get entries(): readonly TranscriptEntry[] {
    return this.list;
  }

  /** Apply one server event; returns true if the transcript changed. */
  apply(event: ServerEvent): boolean {
    const itemId = str(event.item_id);
    switch (event.type) {
      case "input_audio_buffer.speech_started":
        // Reserve the caller's place in the order now; the words arrive later, asynchronously.
        if (!itemId) return false;
        this.dropEmptyCallerPlaceholders();
        this.entry(itemId, "caller", false);
        return true;
      case "conversation.item.input_audio_transcription.delta":
        return this.append(itemId, "caller", false, str(event.delta));
      case "conversation.item.input_audio_transcription.completed":
        return this.finish(itemId, "caller", false, str(event.transcript).trim());
      case "conversation.item.input_audio_transcription.failed":
        return this.finish(itemId, "caller", false, "(could not transcribe)");
      case "response.output_audio_transcript.delta":
        return this.append(itemId, "ai", false, str(event.delta));
      case "response.output_audio_transcript.done":
        return this.finish(itemId, "ai", false, str(event.transcript));
      case "response.output_text.delta":
        return this.append(itemId, "ai", true, str(event.delta));
      case "response.output_text.done":
        return this.finish(itemId, "ai", true, str(event.text));
      default:
        return false;
    }
  }

  private entry(id: string, speaker: TranscriptEntry["speaker"], suggestion: boolean): TranscriptEntry {
    let entry = this.byId.get(id);
    if (!entry) {
      entry = { id, speaker, text: "", final: false, suggestion, at: this.now() };
      this.byId.set(id, entry);
      this.list.push(entry);
    }
    return entry;
  }

  private append(id: string, speaker: TranscriptEntry["speaker"], suggestion: boolean, delta: string): boolean {
    if (!id || !delta) return false;
    const entry = this.entry(id, speaker, suggestion);
    if (entry.final) return false;
    entry.text += delta;
    return true;
  }

  private finish(id: string, speaker: TranscriptEntry["speaker"], suggestion: boolean, text: string): boolean {
    if (!id) return false;
    const entry = this.entry(id, speaker, suggestion);
    if (text) entry.text = text;
    entry.final = true;
    if (!entry.text) this.remove(entry);
    return true;
  }

  /**
   * Speech that never produced words (noise, a cough, transcription off) leaves an empty
   * placeholder: drop it once its words are clearly not coming.
   */
  private dropEmptyCallerPlaceholders(): void {
    const cutoff = this.now() - PLACEHOLDER_TTL_MS;
    for (const entry of [...this.list]) {
      if (entry.speaker === "caller" && !entry.final && !entry.text && entry.at < cutoff) this.remove(entry);
    }
  }

  private remove(entry: TranscriptEntry): void {
    this.byId.delete(entry.id);
    this.list.splice(this.list.indexOf(entry), 1);
  }
}
