"""Answers written by an LLM (optional): the LangChain chat chain (`chain`), its prompt files
(`prompts`, reading prompts/), and the claim-by-claim check of what the model wrote (`repair`)."""
