import { useEffect, useRef, type ReactNode } from 'react'

/**
 * A modal built on `<dialog>`: focus moves in and Escape closes it, as keyboard users expect.
 */
export function Dialog({
  open,
  title,
  onClose,
  dismissable = true,
  children
}: {
  open: boolean
  title: string
  onClose: () => void
  /** False for questions that must be answered (Escape does nothing). */
  dismissable?: boolean
  children: ReactNode
}) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) dialog.showModal()
    if (!open && dialog.open) dialog.close()
  }, [open])
  return (
    <dialog
      ref={ref}
      aria-label={title}
      onCancel={(e) => {
        e.preventDefault()
        if (dismissable) onClose()
      }}
    >
      <h2>{title}</h2>
      {open && children}
    </dialog>
  )
}
