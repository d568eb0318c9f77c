import { useCallback, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { focusFirstInvalid, toFieldErrors } from '../lib/field-errors';
import { ErrorNotice, Field } from './ui';

export interface DialogField {
  name: string;
  label: string;
  kind?: 'text' | 'textarea' | 'number' | 'datetime-local' | 'select';
  required?: boolean;
  minLength?: number;
  options?: Array<{ value: string; label: string }>;
  hint?: string;
  initial?: string;
}

export interface DialogSpec {
  title: string;
  description?: string;
  confirmLabel: string;
  tone?: 'danger' | 'primary';
  fields: DialogField[];
  /** Runs the command; a thrown error (the server's refusal) stays in the dialog. */
  onConfirm: (values: Record<string, string>) => Promise<unknown>;
  /** Called after a successful command, once the dialog has closed. */
  onDone?: () => void;
}

function validate(fields: DialogField[], values: Record<string, string>): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const field of fields) {
    const value = (values[field.name] ?? '').trim();
    if (field.required && !value) errors[field.name] = [`${field.label} is required.`];
    else if (field.minLength && value && value.length < field.minLength)
      errors[field.name] = [`${field.label} needs at least ${field.minLength} characters (${value.length} so far).`];
    else if (field.kind === 'number' && value && !Number.isFinite(Number(value))) errors[field.name] = [`${field.label} must be a number.`];
  }
  return errors;
}

/** A modal form for commands that need words from the user: a reason, a rationale, a reference. */
export function ActionDialog({ spec, onClose }: { spec: DialogSpec; onClose: () => void }) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(spec.fields.map((f) => [f.name, f.initial ?? f.options?.[0]?.value ?? ''])),
  );
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const modalRef = useRef<HTMLDialogElement>(null);

  // A native modal makes the rest of the page inert (Tab stays in the dialog, a screen reader reads
  // only it) and focuses its first field; closing it before React removes it gives the focus back
  // to the button that opened it, hence a layout effect, whose cleanup runs before the removal.
  useLayoutEffect(() => {
    const modal = modalRef.current!;
    modal.showModal();
    return () => modal.close();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validate(spec.fields, values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(modalRef.current);
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      await spec.onConfirm(values);
      onClose();
      spec.onDone?.();
    } catch (error) {
      setFailure(error as Error);
      if (error instanceof ApiError) setErrors(toFieldErrors(error.details));
      focusFirstInvalid(modalRef.current);
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      className="dialog-backdrop"
      ref={modalRef}
      aria-labelledby="dialog-title"
      data-testid="action-dialog"
      // Escape: closed by React, and not while the command is on its way.
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
      onMouseDown={(e) => e.target === e.currentTarget && !busy && onClose()}
    >
      <div className="dialog">
        <form onSubmit={submit} noValidate>
          <h2 id="dialog-title">{spec.title}</h2>
          {spec.description && <p className="muted">{spec.description}</p>}
          {spec.fields.map((field) => (
            <Field key={field.name} name={field.name} label={field.label} hint={field.hint} errors={errors[field.name]}>
              {(props) => {
                const common = {
                  ...props,
                  value: values[field.name] ?? '',
                  required: field.required,
                  onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [field.name]: e.target.value })),
                };
                if (field.kind === 'textarea') return <textarea rows={4} {...common} />;
                if (field.kind === 'select')
                  return (
                    <select {...common}>
                      {field.options?.map((o) => (
                        <option key={o.value} value={o.value}>
                          {o.label}
                        </option>
                      ))}
                    </select>
                  );
                return <input type={field.kind === 'number' ? 'text' : (field.kind ?? 'text')} inputMode={field.kind === 'number' ? 'decimal' : undefined} {...common} />;
              }}
            </Field>
          ))}
          <ErrorNotice error={failure} title="Refused" />
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose} disabled={busy} data-testid="action-dismiss">
              Cancel
            </button>
            <button type="submit" className={`button ${spec.tone === 'danger' ? 'button-danger' : 'button-primary'}`} disabled={busy} data-testid="action-confirm">
              {busy ? 'Working…' : spec.confirmLabel}
            </button>
          </div>
        </form>
      </div>
    </dialog>
  );
}

/** One dialog per page, so its fields (`field-reason`, ...) are unique on the page. */
export function useDialog() {
  const [open, setOpen] = useState<{ spec: DialogSpec; serial: number } | null>(null);
  const close = useCallback(() => setOpen(null), []);
  const show = useCallback((spec: DialogSpec) => setOpen((prev) => ({ spec, serial: (prev?.serial ?? 0) + 1 })), []);
  return { show, node: open ? <ActionDialog key={open.serial} spec={open.spec} onClose={close} /> : null };
}
