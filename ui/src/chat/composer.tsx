import { useRef, useState } from "preact/hooks";
import { type Attachment, attachmentBlock, readAttachment } from "./attachments.js";

/** The message box: Enter sends, Shift+Enter adds a line; Stop while a reply streams; text-file attachments. */
export function Composer({
  streaming,
  onSend,
  onStop,
}: {
  streaming: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
}) {
  const [text, setText] = useState("");
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [problem, setProblem] = useState<string>();
  const fileInput = useRef<HTMLInputElement>(null);

  const canSend = text.trim().length > 0 || attachments.length > 0;
  const send = () => {
    if (!canSend) return;
    const message = [text.trim(), ...attachments.map(attachmentBlock)].filter(Boolean).join("\n\n");
    onSend(message);
    setText("");
    setAttachments([]);
    setProblem(undefined);
  };

  const pick = async (files: FileList | null) => {
    if (!files) return;
    const added: Attachment[] = [];
    const problems: string[] = [];
    for (const file of Array.from(files)) {
      const result = await readAttachment(file);
      if ("problem" in result) problems.push(result.problem);
      else added.push(result);
    }
    setAttachments((a) => [...a, ...added]);
    setProblem(problems.length ? problems.join(" ") : undefined);
    if (fileInput.current) fileInput.current.value = "";
  };

  return (
    <form
      class="composer"
      action="#"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {(attachments.length > 0 || problem) && (
        <div class="attachments">
          {attachments.map((a, i) => (
            <span class="chip" key={`${a.name}-${i}`}>
              {a.name} ({Math.ceil(a.size / 1024)} KB)
              <button
                type="button"
                class="link"
                aria-label={`Remove ${a.name}`}
                onClick={() => setAttachments((all) => all.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </span>
          ))}
          {problem && <span class="error">{problem}</span>}
        </div>
      )}
      <div class="composer-row">
        <button
          type="button"
          class="icon"
          title="Attach text files"
          aria-label="Attach files"
          onClick={() => fileInput.current?.click()}
        >
          +
        </button>
        <input ref={fileInput} type="file" multiple hidden onChange={(e) => void pick(e.currentTarget.files)} />
        <textarea
          rows={1}
          placeholder="Message the assistant"
          aria-label="Message"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        {streaming ? (
          <button type="button" class="danger" onClick={onStop} data-testid="stop">
            Stop
          </button>
        ) : (
          <button type="submit" class="primary" disabled={!canSend} data-testid="send">
            Send
          </button>
        )}
      </div>
    </form>
  );
}
