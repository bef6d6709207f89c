/** What every admin tab gets from the workspace (its own module, so tabs do not import the workspace that imports them). */
export type TabProps = {
  session: string;
  locale: string;
  /** The core ended the admin session: back to the PIN. */
  onExpired: () => void;
  /** A job started by this tab is running (the panel stays open while it does). */
  onBusy: (busy: boolean) => void;
};
