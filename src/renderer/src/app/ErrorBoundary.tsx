import { Component, type ErrorInfo, type ReactNode } from 'react'
import { reportError } from '../lib/report-error'

interface Props {
  /** Rendered instead of the broken subtree; receives a retry callback. */
  fallback: (retry: () => void) => ReactNode
  children: ReactNode
}

/**
 * A row that does not fit what a screen expects (say, a damaged record) must not blank the whole
 * app: the page shows a message, the error goes to the log, and the stored data is left alone.
 */
export class ErrorBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false }

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true }
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    reportError(error, `render ${info.componentStack?.split('\n')[1]?.trim() ?? ''}`.slice(0, 200))
  }

  override render(): ReactNode {
    return this.state.failed
      ? this.props.fallback(() => this.setState({ failed: false }))
      : this.props.children
  }
}
