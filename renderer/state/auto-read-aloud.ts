import { createContext, useContext } from 'react';

/**
 * Whether read-aloud starts by itself on each survey screen (issue 15): true while a picture-first
 * questionnaire is on screen, for citizens who read little. Provided by PictureFirstScope
 * (components/picture-first.tsx); the read-aloud control reads it with useAutoReadAloud() and, when it
 * is true, reads the question and then the answers as each screen appears, without waiting for a tap.
 */
export const AutoReadAloudContext = createContext(false);

/** True when this screen should be read aloud without being asked (picture-first mode). */
export const useAutoReadAloud = (): boolean => useContext(AutoReadAloudContext);
