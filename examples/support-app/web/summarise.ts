// Summarises a ticket thread in the browser extension (illustrative).
import { GoogleGenAI } from "@google/genai";

const ai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY });

export async function summarise(thread: string): Promise<string> {
  const response = await ai.models.generateContent({
    model: "gemini-2.0-flash",
    contents: thread,
  });
  return response.text ?? "";
}
