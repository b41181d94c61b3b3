# core/osi: session, presentation, ACSE and ROSE engines (part of libx400ms).
